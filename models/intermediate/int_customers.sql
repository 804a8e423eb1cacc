-- All customers (grain: customer): every surviving CRM account and every unmatched billing
-- account, with CRM attributes and billing currency. The customer list every mart joins to.

with

crm_accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

resolved_accounts as (

    select * from {{ ref('int_crm_accounts__merge_resolved') }}

),

billing_accounts as (

    select * from {{ ref('int_billing_accounts__mapped_to_customers') }}

),

crm_customers as (

    select
        crm_accounts.account_id as customer_id,
        crm_accounts.account_id as crm_account_id,
        crm_accounts.account_name as customer_name,
        crm_accounts.industry,
        crm_accounts.employee_count,
        crm_accounts.country_code,
        crm_accounts.owner_user_id as csm_user_id,
        true as is_crm_matched

    from crm_accounts
    inner join resolved_accounts
        on
            crm_accounts.account_id = resolved_accounts.account_id
            and resolved_accounts.account_id = resolved_accounts.surviving_account_id

),

unmatched_billing_customers as (

    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as crm_account_id,
        customer_id as customer_name,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as employee_count,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as csm_user_id,
        false as is_crm_matched

    from billing_accounts
    where not is_crm_matched

),

all_customers as (

    select * from crm_customers
    union all
    select * from unmatched_billing_customers

),

customer_currencies as (

    select
        customer_id,
        count(*) as billing_account_count,
        count(distinct currency) as currency_count,
        min(currency) as min_currency

    from billing_accounts
    group by customer_id

),

final as (

    select
        all_customers.customer_id,
        all_customers.crm_account_id,
        all_customers.customer_name,
        all_customers.industry,
        all_customers.employee_count,
        all_customers.country_code,
        all_customers.csm_user_id,
        all_customers.is_crm_matched,
        coalesce(customer_currencies.billing_account_count, 0) as billing_account_count,
        case
            when customer_currencies.currency_count > 1 then 'MULTI'
            else customer_currencies.min_currency
        end as currency

    from all_customers
    left join customer_currencies
        on all_customers.customer_id = customer_currencies.customer_id

)

select * from final
