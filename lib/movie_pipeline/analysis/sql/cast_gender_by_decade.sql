-- cast_gender_by_decade: the share of women among credited actors of known gender, per decade.
-- param decade_from integer = 1870: first decade (partitions before it are not read)
-- param decade_to integer = 2020: last decade
with final as (
    select
        m.release_decade as decade,
        count(*) as credits,
        count_if(c.gender = 1) as female,
        count_if(c.gender = 2) as male,
        count(*) - count_if(c.gender in (1, 2)) as unknown,
        -- a double division: Trino divides integers as integers (1 / 4 = 0)
        round(
            100 * cast(count_if(c.gender = 1) as double) / nullif(count_if(c.gender in (1, 2)), 0),
            1
        ) as female_share_pct
    from cast_data as c
    inner join movies as m on m.id = c.id
    where m.release_decade between ? and ?
    group by m.release_decade
)

select * from final
order by decade
