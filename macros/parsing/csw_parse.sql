{#-
    Parse raw text into typed values (docs/design.md, "Staging rules" 1). Every macro returns NULL
    for NULL, for empty/blank text and for text that does not parse, never an error; a value that
    is present but gives NULL is reported as `unparseable:<column>` by csw_unparseable_reason.

    Accepted text:
      text       trimmed; blank -> NULL
      email      lower(trim(...)); blank -> NULL
      integer    [+-]digits (no decimals: '7.5' does not parse)
      decimal    [+-]digits[.digits]; digits after the point beyond the scale must be zeros, so a
                 value is never rounded silently ('1.005' does not parse as decimal(18,2))
      date       YYYY-MM-DD, a real calendar date
      timestamp  ISO-8601 date[Thh:mm[:ss[.ffffff]]][Z|+hh[:mm]|-hh[:mm]]; an offset is honoured
                 and the value converted to UTC, no offset = UTC; result is a UTC `timestamp`
      boolean    true / false, case-insensitive
-#}

{%- macro csw_parse_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro -%}

{%- macro csw_parse_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro -%}

{#- The trimmed text when all of it matches `pattern` (a regular expression), else NULL: the
    shape check before a cast, shared by the parsers below. -#}
{%- macro csw_text_matching(column, pattern) -%}
    case
        when {{ csw_regex_full_match(csw_parse_text(column), pattern) }}
            then {{ csw_parse_text(column) }}
    end
{%- endmacro -%}


{%- macro csw_parse_integer(column, data_type='integer') -%}
    {{ adapter.dispatch('csw_parse_integer', 'customer_success_warehouse')(column, data_type) }}
{%- endmacro -%}

{%- macro default__csw_parse_integer(column, data_type) -%}
    cast({{ csw_text_matching(column, '[+-]?[0-9]{1,18}') }} as {{ data_type }})
{%- endmacro -%}

{%- macro postgres__csw_parse_integer(column, data_type) -%}
    {#- No try_cast: digits are checked by regex, the range through numeric (out of range -> NULL). -#}
    case
        when {{ csw_regex_full_match(csw_parse_text(column), '[+-]?[0-9]+') }}
            and cast({{ csw_parse_text(column) }} as numeric)
            between {{ csw_integer_bounds(data_type)[0] }} and {{ csw_integer_bounds(data_type)[1] }}
            then cast({{ csw_parse_text(column) }} as {{ data_type }})
    end
{%- endmacro -%}

{#- [min, max] of an integer type (integer or bigint), as text. -#}
{%- macro csw_integer_bounds(data_type) -%}
    {%- if data_type | lower == 'bigint' -%}
        {{ return(['-9223372036854775808', '9223372036854775807']) }}
    {%- endif -%}
    {{ return(['-2147483648', '2147483647']) }}
{%- endmacro -%}

{%- macro duckdb__csw_parse_integer(column, data_type) -%}
    try_cast({{ csw_text_matching(column, '[+-]?[0-9]+') }} as {{ data_type }})
{%- endmacro -%}


{%- macro csw_parse_decimal(column, precision=18, scale=2) -%}
    {{ adapter.dispatch('csw_parse_decimal', 'customer_success_warehouse')(column, precision, scale) }}
{%- endmacro -%}

{%- macro csw_decimal_pattern(precision, scale) -%}
    {{ return('[+-]?[0-9]{1,' ~ (precision - scale) ~ '}([.][0-9]{0,' ~ scale ~ '}0*)?') }}
{%- endmacro -%}

{%- macro default__csw_parse_decimal(column, precision, scale) -%}
    cast({{ csw_text_matching(column, csw_decimal_pattern(precision, scale)) }}
        as decimal({{ precision }}, {{ scale }}))
{%- endmacro -%}

{%- macro duckdb__csw_parse_decimal(column, precision, scale) -%}
    try_cast({{ csw_text_matching(column, csw_decimal_pattern(precision, scale)) }}
        as decimal({{ precision }}, {{ scale }}))
{%- endmacro -%}


{%- macro csw_parse_date(column) -%}
    {#- An implausible year (outside 1900-2200) is NULL on every engine (csw_implausible_datetime). -#}
    case
        when {{ csw_implausible_datetime(csw_parse_text(column)) }} then null
        else {{ adapter.dispatch('csw_parse_date', 'customer_success_warehouse')(column) }}
    end
{%- endmacro -%}

{%- macro default__csw_parse_date(column) -%}
    {#- Portable fallback: the shape is checked, impossible dates (2025-02-31) still error. -#}
    cast({{ csw_text_matching(column, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }} as date)
{%- endmacro -%}

{%- macro postgres__csw_parse_date(column) -%}
    {#- No try_cast: shape and calendar are checked first, so the cast never errors. -#}
    case
        when {{ csw_regex_full_match(csw_parse_text(column), '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            and {{ csw_pg_is_calendar_date(csw_parse_text(column)) }}
            then cast({{ csw_parse_text(column) }} as date)
    end
{%- endmacro -%}

{#-
    Postgres: true when the first 10 characters of `text` (YYYY-MM-DD) are a real calendar date
    (year 0001-9999, month 01-12, day within the month); false or NULL otherwise. Evaluated only
    after the shape check, inside a CASE, so its own casts only see digits.
-#}
{%- macro csw_pg_is_calendar_date(text) -%}
    (
        substr({{ text }}, 1, 10) ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
        and substr({{ text }}, 1, 4) <> '0000'
        and cast(substr({{ text }}, 9, 2) as integer) <= extract(day from
            cast(substr({{ text }}, 1, 7) || '-01' as date) + interval '1 month' - interval '1 day')
    )
{%- endmacro -%}

{%- macro duckdb__csw_parse_date(column) -%}
    {#- GLOB with [0-9] classes is exactly the regex [0-9]{4}-[0-9]{2}-[0-9]{2}, at a fraction of the cost. -#}
    try_cast(case
        when {{ csw_parse_text(column) }} glob '{{ csw_date_glob() }}'
            then {{ csw_parse_text(column) }}
    end as date)
{%- endmacro -%}

{#- YYYY-MM-DD as a DuckDB GLOB pattern. -#}
{%- macro csw_date_glob() -%}
    {{ return('[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]') }}
{%- endmacro -%}


{#- ISO-8601 shapes: date, date + time, date + time + offset (Z, +hh, +hhmm, +hh:mm; within +-14:00). -#}
{%- macro csw_timestamp_pattern(with_offset=false) -%}
    {%- set date_part = '[0-9]{4}-[0-9]{2}-[0-9]{2}' -%}
    {%- set time_part = '[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?' -%}
    {%- set offset_part = '([Zz]|[+-]((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?))' -%}
    {%- if with_offset -%}
        {{ return(date_part ~ time_part ~ offset_part) }}
    {%- endif -%}
    {{ return(date_part ~ '(' ~ time_part ~ offset_part ~ '?)?') }}
{%- endmacro -%}

{%- macro csw_parse_timestamp(column) -%}
    {#- An implausible year or offset is NULL on every engine (csw_implausible_datetime). -#}
    case
        when {{ csw_implausible_datetime(csw_parse_text(column), true) }} then null
        else {{ adapter.dispatch('csw_parse_timestamp', 'customer_success_warehouse')(column) }}
    end
{%- endmacro -%}


{#-
    True when `text` has the shape of a date (YYYY-MM-DD...) but is not plausible: a year before
    1900 or after 2200 (`0000-01-01` would be 1 BC on DuckDB and an error on PostgreSQL), or, with
    `check_offset`, a timestamp whose UTC offset is outside -14:00..+14:00 or has minutes above 59
    (`+25:00`, `+99:99` would shift the instant by days). Checked on the text, the same way on every
    engine, before any cast; csw_unparseable_reason reports it as `out_of_range:<column>`.
    NULL or another shape gives false or NULL (then the value is parsed, or is unparseable).
-#}
{%- macro csw_implausible_datetime(text, check_offset=false) -%}
    ({{ text }} like '____-__-__%'
        and (
            substr({{ text }}, 1, 4) between '0000' and '1899'
            or substr({{ text }}, 1, 4) between '2201' and '9999'
            {%- if check_offset %}
            or (
                {{ text }} not like '%Z' and {{ text }} not like '%z'
                and {{ csw_regex_full_match(text, csw_timestamp_any_offset_pattern()) }}
                and not {{ csw_regex_full_match(text, csw_timestamp_pattern(true)) }}
            )
            {%- endif %}
        ))
{%- endmacro -%}

{#- A timestamp with any two-digit offset (+hh, +hhmm, +hh:mm), plausible or not. -#}
{%- macro csw_timestamp_any_offset_pattern() -%}
    {{ return('[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?'
        ~ '[+-][0-9]{2}(:?[0-9]{2})?') }}
{%- endmacro -%}

{%- macro default__csw_parse_timestamp(column) -%}
    {#- Portable fallback (Postgres): with time zone honours the offset, then shown in UTC. -#}
    (cast({{ csw_text_matching(column, csw_timestamp_pattern()) }}
        as timestamp with time zone) at time zone 'UTC')
{%- endmacro -%}

{%- macro postgres__csw_parse_timestamp(column) -%}
    {#-
        No try_cast: shape, calendar date and clock time are checked first. Text with an offset
        goes through timestamptz and is shown in UTC; text without one is read as UTC directly
        (a cast to timestamp), whatever the session time zone.
    -#}
    case
        when not {{ csw_regex_full_match(csw_parse_text(column), csw_timestamp_pattern()) }}
            then null
        when not {{ csw_pg_is_calendar_date(csw_parse_text(column)) }}
            then null
        when not coalesce(substr({{ csw_parse_text(column) }}, 11)
            ~ '^([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?.*)?$', false)
            then null
        when {{ csw_regex_full_match(csw_parse_text(column), csw_timestamp_pattern(true)) }}
            then cast({{ csw_parse_text(column) }} as timestamp with time zone) at time zone 'UTC'
        else cast({{ csw_parse_text(column) }} as timestamp)
    end
{%- endmacro -%}

{%- macro duckdb__csw_parse_timestamp(column) -%}
    {#-
        DuckDB's cast to TIMESTAMP ignores an offset, so text with an offset goes through
        TIMESTAMPTZ and timezone('UTC', ...); text without one is read as UTC directly, whatever
        the session time zone.
    -#}
    {#-
        Fast path, same result: the common UTC shape YYYY-MM-DDThh:mm:ssZ (a subset of the pattern)
        is cast to TIMESTAMP directly, which equals timezone('UTC', ...) for a 'Z' offset; a GLOB
        is much cheaper than the two regular expressions and the time-zone conversion.
    -#}
    case
        when {{ csw_parse_text(column) }} glob '{{ csw_date_glob() }}T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
            then try_cast({{ csw_parse_text(column) }} as timestamp)
        when not {{ csw_regex_full_match(csw_parse_text(column), csw_timestamp_pattern()) }}
            then null
        when {{ csw_regex_full_match(csw_parse_text(column), csw_timestamp_pattern(true)) }}
            then timezone('UTC', try_cast({{ csw_parse_text(column) }} as timestamptz))
        else try_cast({{ csw_parse_text(column) }} as timestamp)
    end
{%- endmacro -%}


{%- macro spark__csw_parse_timestamp(column) -%}
    {#-
        Spark's cast to timestamp honours an offset (Z, +hh, +hhmm, +hh:mm) and converts to the
        session time zone (UTC, profiles.yml); text without one is read as UTC. It only knows
        upper-case `T` and `Z`, hence upper().
    -#}
    case
        when {{ csw_regex_full_match(csw_parse_text(column), csw_timestamp_pattern()) }}
            then try_cast(upper({{ csw_parse_text(column) }}) as timestamp)
    end
{%- endmacro -%}


{%- macro csw_parse_boolean(column) -%}
    {{ adapter.dispatch('csw_parse_boolean', 'customer_success_warehouse')(column) }}
{%- endmacro -%}

{%- macro default__csw_parse_boolean(column) -%}
    case lower({{ csw_parse_text(column) }})
        when 'true' then true
        when 'false' then false
    end
{%- endmacro -%}


{#- Full-string regular expression match (NULL in, NULL out). -#}
{%- macro csw_regex_full_match(expression, pattern) -%}
    {{ adapter.dispatch('csw_regex_full_match', 'customer_success_warehouse')(expression, pattern) }}
{%- endmacro -%}

{%- macro default__csw_regex_full_match(expression, pattern) -%}
    ({{ expression }} ~ {{ csw_quote_literal('^(' ~ pattern ~ ')$') }})
{%- endmacro -%}

{%- macro duckdb__csw_regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ csw_quote_literal(pattern) }})
{%- endmacro -%}

{%- macro spark__csw_regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike {{ csw_quote_literal('^(' ~ pattern ~ ')$') }})
{%- endmacro -%}


{#-
    Generic entry point used by csw_unparseable_reason: data_type is one of text, email, integer,
    bigint, date, timestamp, boolean, or decimal(p,s).
-#}
{%- macro csw_parse(column, data_type) -%}
    {%- set t = data_type | lower | replace(' ', '') -%}
    {%- if t == 'text' -%}{{ csw_parse_text(column) }}
    {%- elif t == 'email' -%}{{ csw_parse_email(column) }}
    {%- elif t in ('integer', 'bigint') -%}{{ csw_parse_integer(column, t) }}
    {%- elif t == 'date' -%}{{ csw_parse_date(column) }}
    {%- elif t == 'timestamp' -%}{{ csw_parse_timestamp(column) }}
    {%- elif t == 'boolean' -%}{{ csw_parse_boolean(column) }}
    {%- elif t.startswith('decimal(') -%}
        {%- set ps = t[8:-1].split(',') -%}
        {{ csw_parse_decimal(column, ps[0] | int, ps[1] | int) }}
    {%- else -%}
        {%- do exceptions.raise_compiler_error('csw_parse: unknown data_type ' ~ data_type) -%}
    {%- endif -%}
{%- endmacro -%}


{#-
    First column (in the order given) whose raw text is present but is not acceptable as its type:
    'out_of_range:<column>' for a date or timestamp outside the plausible range
    (csw_implausible_datetime), 'unparseable:<column>' when it does not parse; then the first
    column of `required` (raw column names a rule downstream needs) that is blank:
    'null_required:<column>'; else NULL. `columns` is a list of (raw column, data_type) pairs.
-#}
{%- macro csw_unparseable_reason(columns, required=[]) -%}
    case
    {%- for column, data_type in columns %}
        {%- if data_type | lower in ('date', 'timestamp') %}
        when {{ csw_implausible_datetime(csw_parse_text(column), data_type | lower == 'timestamp') }}
            then 'out_of_range:{{ column }}'
        {%- endif %}
        when {{ csw_parse_text(column) }} is not null and {{ csw_parse(column, data_type) }} is null
            then 'unparseable:{{ column }}'
    {%- endfor %}
    {%- for column in required %}
        when {{ csw_parse_text(column) }} is null then 'null_required:{{ column }}'
    {%- endfor %}
    end
{%- endmacro -%}
