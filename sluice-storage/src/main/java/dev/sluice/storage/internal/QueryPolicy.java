package dev.sluice.storage.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.storage.QueryRejectedException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Decides whether a parsed SELECT may run, by walking the JSON form of DuckDB's parse tree
 * ({@code json_serialize_sql}): every function it calls must be on the lists below, and every table it reads must be
 * a storage table or one of its own {@code WITH} names. Anything not listed is refused, so functions that run SQL
 * text ({@code query}, {@code json_execute_serialized_sql}), touch files ({@code read_csv}, {@code glob}), change or
 * show settings ({@code current_setting}, {@code enable_logging}), read the catalog ({@code duckdb_databases}) or a
 * future DuckDB release adds are refused by default, wherever they appear in the tree (inside a string passed to
 * another function they are only text, and the function that would run that text is refused).
 *
 * <p>The lists were made from {@code duckdb_functions()} of DuckDB 1.4.4, keeping only functions that compute a
 * value from their arguments: arithmetic, text, date and time, lists, structs, maps, JSON values, aggregates and
 * window functions. docs/security.md shows them to users; keep both in step.
 */
public final class QueryPolicy {
    /** Shown with every refused function. */
    public static final String FUNCTIONS_RULE = "queries may call only the functions listed in docs/security.md";

    static final Set<String> OPERATORS = words("""
            + - * / // % ** ^ @ & | ~ << >> || && ->> ^@ <-> <=> <@ @> ~~ !~~ ~~* !~~* ~~~ !__postfix
            """);
    static final Set<String> NUMERIC = words("""
            abs acos acosh add asin asinh atan atan2 atanh bin bit_count bit_length bit_position bitstring cbrt ceil
            ceiling cos cosh cot degrees divide equi_width_bins even exp factorial fdiv fmod formatreadabledecimalsize
            formatreadablesize format_bytes gamma gcd get_bit greatest greatest_common_divisor hex is_histogram_other_bin
            isfinite isinf isnan lcm least least_common_multiple lgamma ln log log10 log2 mod multiply nextafter pi pow
            power radians random round round_even roundbankers set_bit sign signbit sin sinh sqrt subtract tan tanh
            to_base to_binary to_hex trunc unbin unhex xor from_binary
            """);
    static final Set<String> TEXT = words("""
            ascii bar base64 char_length character_length chr concat concat_ws contains damerau_levenshtein decode
            editdist3 encode ends_with format from_base64 from_hex hamming hash icu_sort_key ilike_escape instr jaccard
            jaro_similarity jaro_winkler_similarity lcase left left_grapheme len length length_grapheme levenshtein
            like_escape lower lpad ltrim md5 md5_number md5_number_lower md5_number_upper mismatches nfc_normalize
            not_ilike_escape not_like_escape octet_length ord parse_dirname parse_dirpath parse_filename parse_path
            position prefix printf regexp_escape regexp_extract regexp_extract_all regexp_full_match regexp_matches
            regexp_replace regexp_split_to_array regexp_split_to_table repeat replace reverse right right_grapheme rpad
            rtrim sha1 sha256 split split_part starts_with str_split str_split_regex string_split string_split_regex
            string_to_array strip_accents strlen strpos substr substring substring_grapheme suffix to_base64 translate
            trim ucase unicode upper url_decode url_encode
            """);
    static final Set<String> TIME = words("""
            age century current_date current_localtime current_localtimestamp date_add date_diff date_part date_sub
            date_trunc datediff datepart datesub datetrunc day dayname dayofmonth dayofweek dayofyear decade epoch
            epoch_ms epoch_ns epoch_us era get_current_time get_current_timestamp hour isodow isoyear julian last_day
            make_date make_time make_timestamp make_timestamp_ms make_timestamp_ns make_timestamptz microsecond
            millennium millisecond minute month monthname nanosecond normalized_interval now quarter second strftime
            strptime time_bucket timetz_byte_comparable timezone timezone_hour timezone_minute to_centuries to_days
            to_decades to_hours to_microseconds to_millennia to_milliseconds to_minutes to_months to_quarters to_seconds
            to_timestamp to_weeks to_years today transaction_timestamp try_strptime week weekday weekofyear year yearweek
            """);
    static final Set<String> NESTED = words("""
            aggregate apply array_aggr array_aggregate array_append array_apply array_cat array_concat array_contains
            array_cosine_distance array_cosine_similarity array_cross_product array_distance array_distinct
            array_dot_product array_extract array_filter array_grade_up array_has array_has_all array_has_any
            array_indexof array_inner_product array_intersect array_length array_negative_dot_product
            array_negative_inner_product array_pop_back array_pop_front array_position array_prepend array_push_back
            array_push_front array_reduce array_resize array_reverse array_reverse_sort array_select array_slice
            array_sort array_to_string array_to_string_comma_default array_transform array_unique array_value
            array_where array_zip cardinality element_at filter flatten generate_series generate_subscripts grade_up
            list_aggr list_aggregate list_any_value list_append list_apply list_approx_count_distinct list_avg
            list_bit_and list_bit_or list_bit_xor list_bool_and list_bool_or list_cat list_concat list_contains
            list_cosine_distance list_cosine_similarity list_count list_distance list_distinct list_dot_product
            list_element list_entropy list_extract list_filter list_first list_grade_up list_has list_has_all
            list_has_any list_histogram list_indexof list_inner_product list_intersect list_kurtosis list_kurtosis_pop
            list_last list_mad list_max list_median list_min list_mode list_negative_dot_product
            list_negative_inner_product list_pack list_position list_prepend list_product list_reduce list_resize
            list_reverse list_reverse_sort list_select list_sem list_skewness list_slice list_sort list_stddev_pop
            list_stddev_samp list_string_agg list_sum list_transform list_unique list_value list_var_pop list_var_samp
            list_where list_zip map map_concat map_contains map_contains_entry map_contains_value map_entries
            map_extract map_extract_value map_from_entries map_keys map_values range reduce remap_struct row
            struct_concat struct_contains struct_extract struct_extract_at struct_has struct_indexof struct_insert
            struct_pack struct_position struct_update union_extract union_tag union_value unnest unpivot_list
            variant_extract variant_typeof
            """);
    static final Set<String> JSON_VALUES = words("""
            array_to_json from_json from_json_strict json json_array json_array_length json_contains json_exists
            json_extract json_extract_path json_extract_path_text json_extract_string json_keys json_merge_patch
            json_object json_pretty json_quote json_structure json_transform json_transform_strict json_type json_valid
            json_value row_to_json to_json
            """);
    static final Set<String> OTHER = words("""
            alias can_cast_implicitly cast_to_type combine constant_or_null create_sort_key enum_code enum_first
            enum_last enum_range enum_range_boundary error finalize gen_random_uuid nullif replace_type typeof uuid
            uuid_extract_timestamp uuid_extract_version uuidv4 uuidv7
            """);
    static final Set<String> AGGREGATES = words("""
            any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max arg_max_null arg_min
            arg_min_null argmax argmin array_agg avg bit_and bit_or bit_xor bitstring_agg bool_and bool_or corr count
            count_if count_star countif covar_pop covar_samp entropy favg first fsum geomean geometric_mean
            group_concat histogram histogram_exact json_group_array json_group_object json_group_structure kahan_sum
            kurtosis kurtosis_pop last list listagg mad max max_by mean median min min_by mode product quantile
            quantile_cont quantile_disc regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx
            regr_sxy regr_syy reservoir_quantile sem skewness stddev stddev_pop stddev_samp string_agg sum
            sum_no_overflow sumkahan var_pop var_samp variance wavg weighted_avg
            """);
    static final Set<String> WINDOW = words("""
            row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value fill
            """);
    static final Set<String> TABLE_FUNCTIONS = words("""
            range generate_series unnest repeat repeat_row json_each json_tree
            """);

    private static final Set<String> SCALAR = union(OPERATORS, NUMERIC, TEXT, TIME, NESTED, JSON_VALUES, OTHER, AGGREGATES);
    private static final Set<String> WINDOWED = union(WINDOW, AGGREGATES);
    /** What {@code SHOW TABLES} parses to; the other forms of SHOW name catalogs beyond storage. */
    private static final String SHOW_TABLES = "\"tables\"";
    /** A WITH name that DuckDB could read as a file name (replacement scan) where the name is out of scope is refused. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private final Set<String> systemNames;
    private final String database;

    /**
     * @param systemNames names of DuckDB's own tables and views (e.g. {@code duckdb_databases}, {@code pg_settings}),
     *                    which a {@code WITH} name must not take: DuckDB would resolve such a name to the system
     *                    view wherever the {@code WITH} name is out of scope
     * @param database    the name of the storage database, which a query may use to qualify its tables
     */
    public QueryPolicy(Set<String> systemNames, String database) {
        this.systemNames = lower(systemNames);
        this.database = database.toLowerCase(Locale.ROOT);
    }

    /**
     * Refuses the statement unless it only calls listed functions and only reads {@code tables} (of the schema
     * {@code main}) and its own {@code WITH} names.
     *
     * @return the storage tables the statement reads, as lower-case {@code schema.table}
     * @param statement one element of the {@code statements} array of {@code json_serialize_sql}
     * @param tables    the storage tables a query may read
     * @throws QueryRejectedException naming the first function or table that is not allowed
     */
    public Set<String> check(JsonNode statement, Set<String> tables) {
        return check(statement, "main", Map.of("main", tables));
    }

    /**
     * Refuses the statement unless it only calls listed functions and only reads the tables of {@code tables} (schema
     * to its table names) and its own {@code WITH} names; an unqualified table name is one of {@code defaultSchema}.
     *
     * @return the storage tables the statement reads (not its {@code WITH} names), as lower-case {@code schema.table}
     * @throws QueryRejectedException naming the first function or table that is not allowed
     */
    public Set<String> check(JsonNode statement, String defaultSchema, Map<String, ? extends Set<String>> tables) {
        Set<String> withNames = new HashSet<>();
        collectWithNames(statement, withNames);
        for (String name : withNames) {
            if (!PLAIN_NAME.matcher(name).matches()) {
                throw new QueryRejectedException("the WITH name '" + name + "' must be a plain name of letters, digits and underscores");
            }
            if (systemNames.contains(name)) {
                throw new QueryRejectedException("the WITH name '" + name + "' is the name of a DuckDB system view; choose another name");
            }
        }
        String home = defaultSchema.toLowerCase(Locale.ROOT);
        Map<String, Set<String>> readable = new HashMap<>();
        tables.forEach((schema, names) -> readable.put(schema.toLowerCase(Locale.ROOT), lower(names)));
        Set<String> unqualified = new HashSet<>(readable.getOrDefault(home, Set.of()));
        unqualified.addAll(withNames);
        Readable can = new Readable(home, unqualified, withNames, readable, describe(home, tables), new java.util.TreeSet<>());
        visit(statement, can);
        return Set.copyOf(can.read());
    }

    /** What a query may read: plain names (default schema and WITH names) and schema-qualified names. */
    private record Readable(String home, Set<String> plain, Set<String> withNames, Map<String, Set<String>> bySchema, String described,
            Set<String> read) {
        boolean contains(String schema, String table) {
            if (schema.isEmpty()) {
                return plain.contains(table);
            }
            Set<String> names = bySchema.get(schema);
            return names != null && names.contains(table);
        }
    }

    private static String describe(String home, Map<String, ? extends Set<String>> tables) {
        Set<String> names = new TreeSet<>();
        tables.forEach((schema, set) -> set.forEach(t -> names.add(schema.equalsIgnoreCase(home) ? t : schema + "." + t)));
        return String.join(", ", names);
    }

    private void visit(JsonNode node, Readable readable) {
        if (node.isArray()) {
            for (JsonNode element : node) {
                visit(element, readable);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        String kind = node.path("class").asText("");
        String type = node.path("type").isTextual() ? node.path("type").asText() : "";
        if (kind.equals("FUNCTION")) {
            checkFunction(node, SCALAR);
        } else if (kind.equals("WINDOW")) {
            checkFunction(node, WINDOWED);
        } else if (kind.isEmpty()) {
            switch (type) {
                case "TABLE_FUNCTION" -> {
                    JsonNode function = node.path("function");
                    checkFunction(function, TABLE_FUNCTIONS);
                    visitFields(function, readable);
                    visitFieldsExcept(node, "function", readable);
                    return;
                }
                case "BASE_TABLE" -> checkTable(node, readable);
                case "SHOW_REF" -> {
                    if (node.path("query").isNull() && !node.path("table_name").asText().equals(SHOW_TABLES)) {
                        throw new QueryRejectedException("only SHOW TABLES, DESCRIBE and SUMMARIZE of storage tables are allowed, got SHOW "
                                + node.path("table_name").asText());
                    }
                }
                default -> {
                    // Query nodes, joins, subqueries, VALUES lists, PIVOT: their parts are checked below.
                }
            }
        }
        visitFields(node, readable);
    }

    private void visitFields(JsonNode node, Readable readable) {
        visitFieldsExcept(node, null, readable);
    }

    private void visitFieldsExcept(JsonNode node, String skipped, Readable readable) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals(skipped)) {
                visit(field.getValue(), readable);
            }
        }
    }

    private static void checkFunction(JsonNode function, Set<String> allowed) {
        String name = function.path("function_name").asText("");
        String schema = function.path("schema").asText("");
        String catalog = function.path("catalog").asText("");
        String qualified = (catalog.isEmpty() ? "" : catalog + ".") + (schema.isEmpty() ? "" : schema + ".") + name;
        boolean plain = catalog.isEmpty() && (schema.isEmpty() || schema.equals("main"));
        if (!plain || !allowed.contains(name.toLowerCase(Locale.ROOT))) {
            throw new QueryRejectedException("the function " + qualified + "() is not allowed; " + FUNCTIONS_RULE);
        }
    }

    private void checkTable(JsonNode table, Readable readable) {
        String name = table.path("table_name").asText("");
        String schema = table.path("schema_name").asText("");
        String catalog = table.path("catalog_name").asText("");
        String lowerSchema = schema.toLowerCase(Locale.ROOT);
        boolean inStorage = catalog.isEmpty() || catalog.equalsIgnoreCase(database);
        // A qualified name is never a WITH name: it is looked up among that schema's tables only.
        boolean readableName = readable.contains(lowerSchema, name.toLowerCase(Locale.ROOT));
        if (!inStorage || !readableName) {
            String qualified = (catalog.isEmpty() ? "" : catalog + ".") + (schema.isEmpty() ? "" : schema + ".") + name;
            throw new QueryRejectedException("'" + qualified + "' is not a storage table; queries may read only the storage tables ("
                    + readable.described() + ") and names they define with WITH");
        }
        String lowerName = name.toLowerCase(Locale.ROOT);
        if (!lowerSchema.isEmpty()) {
            readable.read().add(lowerSchema + "." + lowerName);
        } else if (!readable.withNames().contains(lowerName)) {
            readable.read().add(readable.home() + "." + lowerName);
        }
    }

    private static void collectWithNames(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            for (JsonNode entry : node.path("cte_map").path("map")) {
                names.add(entry.path("key").asText("").toLowerCase(Locale.ROOT));
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                collectWithNames(child, names);
            }
        }
    }

    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        for (String word : text.trim().split("\\s+")) {
            words.add(word.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(words);
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }

    private static Set<String> lower(Set<String> names) {
        Set<String> lower = new HashSet<>();
        for (String n : names) {
            lower.add(n.toLowerCase(Locale.ROOT));
        }
        return lower;
    }
}
