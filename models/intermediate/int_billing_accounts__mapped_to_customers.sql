with

billing_accounts as (

    select
        billing_account_id,
        crm_account_id,
        currency

    from {{ ref('stg_billing__accounts') }}

),

resolved_accounts as (

    select
        account_id,
        surviving_account_id

    from {{ ref('int_crm_accounts__merge_resolved') }}

),

final as (

    select
        billing_accounts.billing_account_id,
        billing_accounts.crm_account_id,
        coalesce(
            resolved_accounts.surviving_account_id,
            {{ dbt.concat(["'billing:'", 'billing_accounts.billing_account_id']) }}
        ) as customer_id,
        resolved_accounts.surviving_account_id is not null as is_crm_matched,
        billing_accounts.currency

    from billing_accounts
    left join resolved_accounts
        on billing_accounts.crm_account_id = resolved_accounts.account_id

)

select * from final
