{#-
    Salted SHA-256 of a (normalized) value, as lowercase hex: sha256(salt || value).
    The salt comes from env var CSW_HASH_SALT; the default 'csw-dev-salt' is for development only
    and must be overridden in any shared environment (same salt = same hashes across builds, so
    hashes join across sources and builds of one deployment).
-#}
{%- macro csw_hash_salt() -%}
    {{ return(env_var('CSW_HASH_SALT', 'csw-dev-salt')) }}
{%- endmacro -%}

{%- macro csw_hash(expression) -%}
    {{ return(adapter.dispatch('csw_hash', 'customer_success_warehouse')(expression)) }}
{%- endmacro -%}

{%- macro default__csw_hash(expression) -%}
    case when {{ expression }} is not null then
        encode(sha256(convert_to({{ csw_quote_literal(csw_hash_salt()) }} || {{ expression }}, 'UTF8')), 'hex')
    end
{%- endmacro -%}

{%- macro duckdb__csw_hash(expression) -%}
    case when {{ expression }} is not null then
        sha256({{ csw_quote_literal(csw_hash_salt()) }} || {{ expression }})
    end
{%- endmacro -%}

{%- macro spark__csw_hash(expression) -%}
    case when {{ expression }} is not null then
        sha2(concat({{ csw_quote_literal(csw_hash_salt()) }}, {{ expression }}), 256)
    end
{%- endmacro -%}
