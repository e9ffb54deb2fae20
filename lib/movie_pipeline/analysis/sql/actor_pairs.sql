-- actor_pairs: the pairs of actors who most often appear in the same movie.
-- param top_billed integer = 10 min 1: only actors billed in the first N places count
-- param min_movies integer = 2 min 1: pairs with fewer movies together are left out
with billed as (
    select
        id,
        person_id,
        min(name) as name,
        count(*) over (partition by person_id) as billed_movies
    from cast_data
    where order_num < ?
    group by id, person_id
),

regulars as (
    -- two actors share at most as many movies as each was billed in: dropping the others
    -- first leaves the answer unchanged and the self join far smaller
    select
        id,
        person_id,
        name
    from billed
    where billed_movies >= ?
),

final as (
    -- each pair once: the actor with the smaller person id first
    -- param min_movies: the same value again
    select
        min(a.name) as actor,
        min(b.name) as co_actor,
        count(*) as movies,
        a.person_id as actor_id,
        b.person_id as co_actor_id
    from regulars as a
    inner join regulars as b on b.id = a.id and b.person_id > a.person_id
    group by a.person_id, b.person_id
    having count(*) >= ?
)

-- param limit integer = 10 min 1: how many pairs to return
select * from final
order by movies desc, actor, co_actor, actor_id, co_actor_id
limit ?
