-- Billing account -> customer (grain: billing account): the surviving CRM account when the
-- match is known, else 'billing:<id>', so revenue is never dropped.

with

billing_accounts as (

    select * from {{ ref('stg_billing__accounts') }}

),

resolved_accounts as (

    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

fallback_ids as (

    select
        billing_account_id,
        {{ dbt.concat(["'billing:'", 'billing_account_id']) }} as fallback_customer_id

    from billing_accounts

),

final as (

    {#- A billing account without a CRM match becomes customer `billing:<id>`. A CRM account whose
        own id is that string would merge two customers silently (and fail a unique test without
        naming the id): the build stops naming both instead. #}
    select
        billing_accounts.billing_account_id,
        billing_accounts.crm_account_id,
        case
            when resolved_accounts.surviving_account_id is not null
                then resolved_accounts.surviving_account_id
            when colliding_accounts.account_id is not null
                then {{ dbt.cast(csw_raise_error(
                    "'CRM account id ' || colliding_accounts.account_id"
                    ~ " || ' collides with the customer id of billing account '"
                    ~ " || billing_accounts.billing_account_id"
                    ~ " || ' (no CRM match): customer ids billing:<billing_account_id> are"
                    ~ " reserved for unmatched billing accounts; rename the CRM account'"
                ), dbt.type_string()) }}
            else fallback_ids.fallback_customer_id
        end as customer_id,
        resolved_accounts.surviving_account_id is not null as is_crm_matched,
        billing_accounts.currency

    from billing_accounts
    inner join fallback_ids
        on billing_accounts.billing_account_id = fallback_ids.billing_account_id
    left join resolved_accounts
        on billing_accounts.crm_account_id = resolved_accounts.account_id
    left join resolved_accounts as colliding_accounts
        on fallback_ids.fallback_customer_id = colliding_accounts.account_id

)

select * from final
