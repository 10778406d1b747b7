package dev.sluice.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.storage.QueryRejectedException;
import org.junit.jupiter.api.Test;

class PostgresQueryCheckTest {
    @Test
    void acceptsOneReadingStatementAndReturnsItWithoutExplain() {
        assertThat(PostgresQueryCheck.statement("SELECT 1")).isEqualTo("SELECT 1");
        assertThat(PostgresQueryCheck.statement("  with t AS (SELECT 1) SELECT * FROM t;")).isEqualTo("  with t AS (SELECT 1) SELECT * FROM t;");
        assertThat(PostgresQueryCheck.statement("VALUES (1), (2)")).isEqualTo("VALUES (1), (2)");
        assertThat(PostgresQueryCheck.statement("TABLE shop.sales")).isEqualTo("TABLE shop.sales");
        assertThat(PostgresQueryCheck.statement("EXPLAIN ANALYZE VERBOSE SELECT 1")).isEqualTo(" SELECT 1");
        assertThat(PostgresQueryCheck.statement("/* ; */ SELECT ';', $$;$$, $tag$ ; $tag$ -- ;\n")).startsWith("/* ; */ SELECT");
    }

    @Test
    void refusesSeveralStatements() {
        assertThatThrownBy(() -> PostgresQueryCheck.statement("SELECT 1; SELECT 2")).isInstanceOf(QueryRejectedException.class)
                .hasMessage("only one statement is allowed, got 2");
        assertThatThrownBy(() -> PostgresQueryCheck.statement("SELECT $$x$$; DELETE FROM t")).isInstanceOf(QueryRejectedException.class)
                .hasMessage("only one statement is allowed, got 2");
    }

    @Test
    void refusesEverythingButReadingStatements() {
        for (String sql : new String[] {"INSERT INTO t VALUES (1)", "SET statement_timeout = 0", "SHOW ALL", "COPY t TO STDOUT",
                "EXPLAIN DELETE FROM t", "CALL p()", "DO $$ BEGIN END $$", "LISTEN x", "RESET ROLE"}) {
            assertThatThrownBy(() -> PostgresQueryCheck.statement(sql)).as(sql).isInstanceOf(QueryRejectedException.class)
                    .hasMessageStartingWith(PostgresQueryCheck.ALLOWED + "; got ");
        }
        assertThatThrownBy(() -> PostgresQueryCheck.statement(" ; -- nothing")).hasMessage("empty query");
    }

    @Test
    void findsEveryRelationOfAPlan() throws Exception {
        String plan = """
                [{"Plan": {"Node Type": "Hash Join", "Plans": [
                  {"Node Type": "Seq Scan", "Relation Name": "sales", "Schema": "shop", "Alias": "s"},
                  {"Node Type": "Hash", "Plans": [{"Node Type": "Index Scan", "Relation Name": "_sluice_offsets", "Schema": "main"}]}],
                  "Subplans": [{"Node Type": "Function Scan", "Function Name": "generate_series"}]}}]
                """;
        assertThat(PostgresQueryCheck.relations(new ObjectMapper().readTree(plan))).containsExactly("main._sluice_offsets", "shop.sales");
    }
}
