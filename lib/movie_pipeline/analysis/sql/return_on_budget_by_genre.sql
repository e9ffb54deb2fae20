-- return_on_budget_by_genre: box-office revenue per dollar of budget, by genre.
-- param min_budget bigint = 1000000 min 1: movies with a smaller (or unknown) budget are left out
-- param min_movies integer = 5 min 1: genres with fewer such movies are left out
with financed as (
    -- both figures known: the cleaned table has null (raw data 0) where one is unknown
    select
        id,
        budget,
        revenue
    from movies
    where budget >= ? and revenue > 0
),

final as (
    select
        g.genre_name as genre,
        count(*) as movies,
        sum(f.budget) as total_budget,
        sum(f.revenue) as total_revenue,
        round(cast(sum(f.revenue) as double) / sum(f.budget), 2) as revenue_per_dollar,
        round(100 * cast(count_if(f.revenue > f.budget) as double) / count(*), 1) as profitable_pct
    from financed as f
    inner join movie_genres as g on g.id = f.id
    group by g.genre_name
    having count(*) >= ?
)

select * from final
order by revenue_per_dollar desc, genre
