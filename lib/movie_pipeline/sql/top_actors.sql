-- top_actors: the 10 actors who appear in the most movies (ties broken by name, then person id).
with appearances as (
    select distinct
        person_id,
        id as movie_id
    from cast_data
),

movie_counts as (
    select
        person_id,
        count(*) as movies
    from appearances
    group by person_id
),

names as (
    select
        person_id,
        min(name) as name
    from cast_data
    group by person_id
),

final as (
    select
        n.name,
        c.person_id,
        c.movies
    from movie_counts as c
    inner join names as n on n.person_id = c.person_id
)

select * from final
order by movies desc, name, person_id
limit 10
