{#-
    Every known CRM account and the surviving account it counts as, following
    merged_into_account_id through chains. The walk is a recursive CTE that
    only steps to *known* accounts and stops after `merge_depth_guard` steps,
    so neither a pointer to an unknown account nor a merge cycle can loop.
-#}
{%- set merge_depth_guard = 100 -%}

with recursive

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

merge_walk (account_id, reached_account_id, walk_step) as (

    select
        account_id,
        account_id as reached_account_id,
        0 as walk_step

    from accounts

    union all

    select
        merge_walk.account_id,
        next_account.account_id as reached_account_id,
        merge_walk.walk_step + 1 as walk_step

    from merge_walk
    inner join accounts as reached_account
        on merge_walk.reached_account_id = reached_account.account_id
    inner join accounts as next_account
        on reached_account.merged_into_account_id = next_account.account_id
    where merge_walk.walk_step < {{ merge_depth_guard }}

),

cycle_members as (

    select distinct account_id

    from merge_walk
    where
        walk_step >= 1
        and reached_account_id = account_id

),

walk_ends as (

    select
        account_id,
        max(walk_step) as merge_depth

    from merge_walk
    group by account_id

),

last_reached as (

    select
        walk_ends.account_id,
        walk_ends.merge_depth,
        merge_walk.reached_account_id

    from walk_ends
    inner join merge_walk
        on
            walk_ends.account_id = merge_walk.account_id
            and walk_ends.merge_depth = merge_walk.walk_step

),

cycle_survivors as (

    select
        merge_walk.account_id,
        min(merge_walk.reached_account_id) as cycle_survivor_account_id

    from merge_walk
    inner join cycle_members
        on merge_walk.reached_account_id = cycle_members.account_id
    group by merge_walk.account_id

),

final as (

    select
        last_reached.account_id,
        coalesce(
            cycle_survivors.cycle_survivor_account_id,
            last_reached.reached_account_id
        ) as surviving_account_id,
        last_reached.merge_depth,
        case
            when cycle_survivors.account_id is not null then 'merge_cycle'
            when last_reached.merge_depth >= {{ merge_depth_guard }} then 'depth_guard_reached'
            when last_account.merged_into_account_id is not null then 'merged_into_unknown'
            when last_reached.merge_depth > 0 then 'merged'
            else 'not_merged'
        end as merge_resolution_status

    from last_reached
    inner join accounts as last_account
        on last_reached.reached_account_id = last_account.account_id
    left join cycle_survivors
        on last_reached.account_id = cycle_survivors.account_id

)

select * from final
