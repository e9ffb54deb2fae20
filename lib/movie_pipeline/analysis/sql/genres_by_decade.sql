-- genres_by_decade: how many movies of each genre came out in each decade.
-- param decade_from integer = 1870: first decade to count (partitions before it are not read)
-- param decade_to integer = 2020: last decade to count
with decade_movies as (
    -- a filter on the partition key: Athena reads only these release_decade= folders
    select
        id,
        release_decade as decade
    from movies
    where release_decade between ? and ?
),

genre_counts as (
    select
        d.decade,
        g.genre_name as genre,
        count(distinct d.id) as movies
    from decade_movies as d
    inner join movie_genres as g on g.id = d.id
    group by d.decade, g.genre_name
),

final as (
    select
        decade,
        genre,
        movies,
        rank() over (partition by decade order by movies desc) as rank_in_decade
    from genre_counts
)

select * from final
order by decade, movies desc, genre
