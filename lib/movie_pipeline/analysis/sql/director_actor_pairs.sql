-- director_actor_pairs: the director-actor pairs who made the most movies together.
-- param job varchar = Director: the crew job to pair with actors (for example Screenplay)
-- param limit integer = 10 min 1: how many pairs to return
with directors as (
    select
        id,
        person_id,
        min(name) as name
    from crew_data
    where job = ?
    group by id, person_id
),

actors as (
    select distinct
        id,
        person_id
    from cast_data
),

pair_counts as (
    -- someone who directs and acts in the same movie is not a collaboration
    select
        d.person_id as director_id,
        a.person_id as actor_id,
        count(*) as movies
    from directors as d
    inner join actors as a on a.id = d.id and a.person_id <> d.person_id
    group by d.person_id, a.person_id
),

cutoff as (
    -- the count of the last pair shown: names and titles are looked up only for the pairs
    -- that reach it (ties included), not for the hundreds of thousands of one-movie pairs
    select min(movies) as movies
    from (select movies from pair_counts order by movies desc limit ?)
),

top_pairs as (
    select
        c.director_id,
        c.actor_id,
        d.id,
        d.name as director
    from pair_counts as c
    inner join directors as d on d.person_id = c.director_id
    where c.movies >= (select movies from cutoff)
),

pair_movies as (
    -- one row per pair and movie, however many roles the actor plays in it
    select
        t.director_id,
        t.actor_id,
        t.id,
        t.director,
        min(a.name) as actor
    from top_pairs as t
    inner join cast_data as a on a.id = t.id and a.person_id = t.actor_id
    group by t.director_id, t.actor_id, t.id, t.director
),

final as (
    select
        min(p.director) as director,
        min(p.actor) as actor,
        count(*) as movies,
        -- an ordered aggregate: the movies in release order
        array_join(
            array_agg(coalesce(m.title, cast(p.id as varchar)) order by m.release_date, p.id),
            '; '
        ) as titles,
        p.director_id,
        p.actor_id
    from pair_movies as p
    left join movies as m on m.id = p.id
    group by p.director_id, p.actor_id
)

-- param limit: the same value again
select * from final
order by movies desc, director, actor, director_id, actor_id
limit ?
