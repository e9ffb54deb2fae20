-- largest_casts: the movies with the largest casts, with their three top-billed actors.
-- param limit integer = 10 min 1: how many movies to return
with cast_sizes as (
    -- a row is a credited role: (id, credit_id) is the table's key
    select
        id,
        count(*) as cast_size,
        -- an ordered aggregate: billing order, then name for actors billed at the same place
        array_join(
            array_agg(name order by order_num, name) filter (where order_num < 3),
            ', '
        ) as top_billed
    from cast_data
    group by id
),

final as (
    select
        s.id,
        m.title,
        m.release_year,
        s.cast_size,
        s.top_billed
    from cast_sizes as s
    left join movies as m on m.id = s.id
)

select * from final
order by cast_size desc, title, id
limit ?
