-- crew_size_by_department: the average crew size of each department, per decade of release.
-- param decade_from integer = 1870: first decade (partitions before it are not read)
-- param decade_to integer = 2020: last decade
with crew_per_movie as (
    select
        id,
        department,
        count(distinct person_id) as crew
    from crew_data
    group by id, department
),

final as (
    -- the average over the movies that list the department at all
    select
        m.release_decade as decade,
        c.department,
        count(*) as movies,
        round(avg(c.crew), 2) as avg_crew
    from crew_per_movie as c
    inner join movies as m on m.id = c.id
    where m.release_decade between ? and ?
    group by m.release_decade, c.department
)

select * from final
order by decade, department
