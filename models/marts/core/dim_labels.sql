-- Labels for every code value that appears in a mart column (seed code_labels): join on
-- code_column = '<column name>' and code = <value>. English and Japanese.
with

labels as (

    select
        code_column,
        code,
        sort_order,
        label_en,
        label_ja

    from {{ ref('code_labels') }}

)

select
    code_column,
    code,
    sort_order,
    label_en,
    label_ja

from labels
