-- top_actors: the actors who appear in the most movies (ties broken by name, then person id).
-- param limit integer = 10 min 1: how many actors to return
with appearances as (
    -- one row per actor per movie, however many roles they play in it
    select
        person_id,
        id as movie_id,
        min(name) as name
    from cast_data
    group by person_id, id
),

final as (
    select
        min(name) as name,
        person_id,
        count(*) as movies
    from appearances
    group by person_id
)

select * from final
order by movies desc, name, person_id
limit ?
