/**
 * PostgreSQL functions with the names and meaning of the Trino functions the Athena SQL uses and
 * PostgreSQL lacks (Trino's documentation: functions/json.md, ipaddress.md, array.md,
 * conversion.md). Each is checked on the documentation's examples in translate.test.ts.
 *
 * - json_exists(input, path, on_error): `FALSE ON ERROR` by default, applied to input conversion
 *   errors (text that is not JSON) and path evaluation errors; NULL input gives NULL; a path that
 *   does not parse fails the query (as a malformed path literal does in Trino).
 * - json_query(input, path, clauses): the wrapper, quotes, ON EMPTY and ON ERROR clauses (NULL by
 *   default); its text is Trino's compact JSON text (json_format).
 * - json_parse raises on text that is not JSON (as Trino's does: it fails the query).
 * - json_format writes Trino's compact JSON text.
 * - cast_json_to_array_T: CAST(json AS ARRAY(T)); a JSON null element is `JSON 'null'` in
 *   ARRAY(JSON) and SQL NULL in the others; a value that is not an array fails, as in Trino.
 * - try_cast_double / try_cast_ipaddress: TRY_CAST; addresses in the strict textual forms Trino's
 *   IPADDRESS accepts (no leading zeros in IPv4, no zone, no prefix length).
 * - contains(network, address): IPADDRESS containment; NULL for a NULL address.
 * - rc_any_match(array, results): any_match's three-valued result from the lambda's results.
 */
export const PRELUDE = String.raw`
CREATE OR REPLACE FUNCTION rc_on_error(clause text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  CASE clause
    WHEN 'FALSE' THEN RETURN FALSE;
    WHEN 'TRUE' THEN RETURN TRUE;
    WHEN 'UNKNOWN' THEN RETURN NULL;
    ELSE RAISE EXCEPTION 'json_exists: error (ERROR ON ERROR)';
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION rc_json_query_default(clause text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  CASE coalesce(clause, 'NULL')
    WHEN 'NULL' THEN RETURN NULL;
    WHEN 'EMPTY ARRAY' THEN RETURN '[]';
    WHEN 'EMPTY OBJECT' THEN RETURN '{}';
    ELSE RAISE EXCEPTION 'json_query: error (ERROR ON EMPTY or ERROR ON ERROR)';
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION json_exists(input text, path text, on_error text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  p jsonpath := path::jsonpath;
  j jsonb;
BEGIN
  IF input IS NULL THEN RETURN NULL; END IF;
  BEGIN
    j := input::jsonb;
  EXCEPTION WHEN others THEN
    RETURN rc_on_error(on_error);
  END;
  BEGIN
    RETURN jsonb_path_exists(j, p);
  EXCEPTION WHEN others THEN
    RETURN rc_on_error(on_error);
  END;
END $$;

CREATE OR REPLACE FUNCTION json_query(input text, path text, clauses text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  p jsonpath := path::jsonpath;
  j jsonb;
  items jsonb;
  wrapper text := CASE WHEN clauses ~ '^WITH CONDITIONAL' THEN 'conditional' WHEN clauses ~ '^WITH ' THEN 'unconditional' ELSE 'none' END;
  omit boolean := clauses ~ 'OMIT QUOTES';
  on_empty text := substring(clauses FROM '(NULL|ERROR|EMPTY ARRAY|EMPTY OBJECT) ON EMPTY');
  on_error text := substring(clauses FROM '(NULL|ERROR|EMPTY ARRAY|EMPTY OBJECT) ON ERROR');
  rest text := btrim(regexp_replace(clauses,
    '(WITHOUT (ARRAY )?WRAPPER|WITH ((CONDITIONAL|UNCONDITIONAL) )?(ARRAY )?WRAPPER|(KEEP|OMIT) QUOTES( ON SCALAR STRING)?|(NULL|ERROR|EMPTY ARRAY|EMPTY OBJECT) ON (EMPTY|ERROR))',
    '', 'g'));
  result jsonb;
BEGIN
  IF rest <> '' THEN RAISE EXCEPTION 'json_query: no rule for the clauses %', clauses; END IF;
  IF input IS NULL THEN RETURN NULL; END IF;
  BEGIN
    j := input::jsonb;
    items := jsonb_path_query_array(j, p);
  EXCEPTION WHEN others THEN
    RETURN rc_json_query_default(on_error);
  END;
  IF jsonb_array_length(items) = 0 THEN RETURN rc_json_query_default(on_empty); END IF;
  IF wrapper = 'unconditional' OR (wrapper = 'conditional' AND NOT (jsonb_array_length(items) = 1 AND jsonb_typeof(items -> 0) IN ('array', 'object'))) THEN
    result := items;
  ELSIF jsonb_array_length(items) > 1 THEN
    RETURN rc_json_query_default(on_error);
  ELSE
    result := items -> 0;
  END IF;
  IF omit AND jsonb_typeof(result) = 'string' THEN RETURN result #>> '{}'; END IF;
  RETURN json_format(result);
END $$;

CREATE OR REPLACE FUNCTION json_parse(input text) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT input::jsonb $$;

CREATE OR REPLACE FUNCTION json_format(j jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  CASE jsonb_typeof(j)
    WHEN 'array' THEN
      RETURN '[' || COALESCE((SELECT string_agg(json_format(e), ',' ORDER BY n) FROM jsonb_array_elements(j) WITH ORDINALITY AS a(e, n)), '') || ']';
    WHEN 'object' THEN
      RETURN '{' || COALESCE((SELECT string_agg(to_jsonb(k)::text || ':' || json_format(v), ',' ORDER BY k) FROM jsonb_each(j) AS o(k, v)), '') || '}';
    ELSE
      RETURN j::text;
  END CASE;
END $$;

-- Trino's legacy JSONPath as the SELECT list uses it: $, .key, ["key"]. NULL where it does not resolve
-- or the text is not JSON.
CREATE OR REPLACE FUNCTION json_extract(input text, path text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  j jsonb;
  keys text[] := '{}';
  m text[];
  rest text := substr(path, 2);
BEGIN
  IF left(path, 1) <> '$' THEN RAISE EXCEPTION 'json_extract: invalid path %', path; END IF;
  WHILE rest <> '' LOOP
    m := regexp_match(rest, '^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"]*)"\])');
    IF m IS NULL THEN RAISE EXCEPTION 'json_extract: no rule for the path %', path; END IF;
    keys := keys || COALESCE(m[1], m[2]);
    rest := substr(rest, length(COALESCE(m[1], m[2])) + (CASE WHEN m[1] IS NULL THEN 5 ELSE 2 END));
  END LOOP;
  BEGIN
    j := input::jsonb;
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
  FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
    IF jsonb_typeof(j) <> 'object' THEN RETURN NULL; END IF;
    j := j -> keys[i];
  END LOOP;
  RETURN j;
END $$;

CREATE OR REPLACE FUNCTION cast_json_to_array_json(j jsonb) RETURNS jsonb[] LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF jsonb_typeof(j) = 'null' THEN RETURN NULL; END IF;
  IF jsonb_typeof(j) <> 'array' THEN RAISE EXCEPTION 'Cannot cast JSON % to array(json)', j; END IF;
  RETURN ARRAY(SELECT e FROM jsonb_array_elements(j) WITH ORDINALITY AS a(e, n) ORDER BY n);
END $$;

CREATE OR REPLACE FUNCTION rc_json_varchar(e jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  CASE jsonb_typeof(e)
    WHEN 'null' THEN RETURN NULL;
    WHEN 'string' THEN RETURN e #>> '{}';
    WHEN 'number', 'boolean' THEN RETURN e::text;
    ELSE RAISE EXCEPTION 'Cannot cast JSON % to varchar', e;
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION try_cast_double(s text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  t text := btrim(s, E' \t\n\r\f\u000b');
BEGIN
  IF t ~ '^[+-]?(NaN|Infinity)$' THEN RETURN replace(t, '+', '')::double precision; END IF;
  IF t !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[dDfF]?$' THEN RETURN NULL; END IF;
  RETURN rtrim(t, 'dDfF')::double precision;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rc_json_double(e jsonb) RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  CASE jsonb_typeof(e)
    WHEN 'null' THEN RETURN NULL;
    WHEN 'number' THEN RETURN e::text::double precision;
    WHEN 'boolean' THEN RETURN CASE WHEN e::text = 'true' THEN 1 ELSE 0 END;
    WHEN 'string' THEN
      IF try_cast_double(e #>> '{}') IS NULL THEN RAISE EXCEPTION 'Cannot cast JSON % to double', e; END IF;
      RETURN try_cast_double(e #>> '{}');
    ELSE RAISE EXCEPTION 'Cannot cast JSON % to double', e;
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION rc_json_boolean(e jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  CASE jsonb_typeof(e)
    WHEN 'null' THEN RETURN NULL;
    WHEN 'boolean' THEN RETURN e::text = 'true';
    WHEN 'number' THEN RETURN e::text::numeric <> 0;
    WHEN 'string' THEN
      IF lower(e #>> '{}') IN ('true', 'false') THEN RETURN lower(e #>> '{}') = 'true'; END IF;
      RAISE EXCEPTION 'Cannot cast JSON % to boolean', e;
    ELSE RAISE EXCEPTION 'Cannot cast JSON % to boolean', e;
  END CASE;
END $$;

CREATE OR REPLACE FUNCTION cast_json_to_array_varchar(j jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT ARRAY(SELECT rc_json_varchar(e) FROM unnest(cast_json_to_array_json(j)) WITH ORDINALITY AS a(e, n) ORDER BY n)
    FROM (SELECT 1) AS one WHERE cast_json_to_array_json(j) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION cast_json_to_array_double(j jsonb) RETURNS double precision[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT ARRAY(SELECT rc_json_double(e) FROM unnest(cast_json_to_array_json(j)) WITH ORDINALITY AS a(e, n) ORDER BY n)
    FROM (SELECT 1) AS one WHERE cast_json_to_array_json(j) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION cast_json_to_array_boolean(j jsonb) RETURNS boolean[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT ARRAY(SELECT rc_json_boolean(e) FROM unnest(cast_json_to_array_json(j)) WITH ORDINALITY AS a(e, n) ORDER BY n)
    FROM (SELECT 1) AS one WHERE cast_json_to_array_json(j) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION try_cast_ipaddress(s text) RETURNS inet LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  a inet;
BEGIN
  IF s ~ '^[0-9.]+$' THEN
    IF s !~ '^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$' THEN RETURN NULL; END IF;
  ELSIF s !~ '^[0-9A-Fa-f:.]+$' OR position(':' IN s) = 0 THEN
    RETURN NULL;
  END IF;
  a := s::inet;
  IF masklen(a) <> (CASE family(a) WHEN 4 THEN 32 ELSE 128 END) THEN RETURN NULL; END IF;
  RETURN a;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION contains(network text, address inet) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT family(network::cidr) = family(address) AND network::cidr >>= address
$$;

CREATE OR REPLACE FUNCTION rc_any_match(list anyarray, results boolean[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN list IS NULL THEN NULL WHEN bool_or(r) THEN TRUE WHEN bool_or(r IS NULL) THEN NULL ELSE FALSE END
    FROM unnest(results) AS u(r)
$$;
`;
