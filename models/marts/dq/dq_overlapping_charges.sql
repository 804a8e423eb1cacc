-- Pairs of staged recurring, non-trial charges of one product on one subscription whose service
-- periods overlap: both count in MRR for the overlapping months. The spec does not forbid them, so
-- they are flagged here (and by a warning-severity test), never dropped.

with

charges as (

    select * from {{ ref('stg_billing__subscription_charges') }}
    where charge_type = 'recurring' and not is_trial

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

periods as (

    {#- Service period [effective_from, service end), end = least(effective_to, canceled_on), NULL =
        open (docs/design.md, "Month membership"). #}
    select
        charges.charge_id,
        charges.subscription_id,
        charges.product_id,
        charges.effective_from_date,
        {{ csw_earlier_end_date('charges.effective_to_date', 'subscriptions.canceled_date') }}
            as service_end_date

    from charges
    inner join subscriptions
        on charges.subscription_id = subscriptions.subscription_id

),

non_empty_periods as (

    select * from periods
    where service_end_date is null or effective_from_date < service_end_date

),

overlapping as (

    select
        earlier.subscription_id,
        earlier.product_id,
        earlier.charge_id,
        later.charge_id as overlapping_charge_id,
        case
            when earlier.effective_from_date < later.effective_from_date
                then later.effective_from_date
            else earlier.effective_from_date
        end as overlap_from_date,
        {{ csw_earlier_end_date('earlier.service_end_date', 'later.service_end_date') }}
            as overlap_to_date

    from non_empty_periods as earlier
    inner join non_empty_periods as later
        on
            earlier.subscription_id = later.subscription_id
            and earlier.product_id = later.product_id
            and earlier.charge_id < later.charge_id
            and (
                later.service_end_date is null
                or earlier.effective_from_date < later.service_end_date
            )
            and (
                earlier.service_end_date is null
                or earlier.service_end_date > later.effective_from_date
            )

),

final as (

    select
        subscription_id,
        product_id,
        charge_id,
        overlapping_charge_id,
        overlap_from_date,
        overlap_to_date

    from overlapping

)

select * from final
