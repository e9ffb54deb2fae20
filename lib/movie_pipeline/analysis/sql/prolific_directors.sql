-- prolific_directors: the directors with the most movies, and their movies' average rating.
-- param min_votes integer = 10 min 0: ratings of movies with fewer votes are left out
-- param limit integer = 15 min 1: how many directors to return
with directed as (
    select
        id,
        person_id,
        min(name) as name
    from crew_data
    where job = 'Director'
    group by id, person_id
),

final as (
    select
        min(d.name) as name,
        d.person_id,
        count(*) as movies,
        count(m.id) as rated_movies,
        round(avg(m.vote_average), 2) as avg_rating
    from directed as d
    left join movies as m on m.id = d.id and m.vote_count >= ?
    group by d.person_id
)

select * from final
order by movies desc, name, person_id
limit ?
