package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlTypesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            STRING                | STRING
            string                | STRING
            '  String  '          | STRING
            VARCHAR(255)          | VARCHAR(255)
            varchar ( 10 )        | VARCHAR(10)
            CHAR(3)               | CHAR(3)
            BOOLEAN               | BOOLEAN
            TINYINT               | TINYINT
            SMALLINT              | SMALLINT
            INT                   | INT
            integer               | INT
            BIGINT                | BIGINT
            FLOAT                 | FLOAT
            DOUBLE                | DOUBLE
            DECIMAL(12, 2)        | DECIMAL(12, 2)
            decimal(12,2)         | DECIMAL(12, 2)
            'DECIMAL( 38 , 38 )'  | DECIMAL(38, 38)
            DECIMAL(1)            | DECIMAL(1, 0)
            DATE                  | DATE
            TIME                  | TIME(0)
            time(3)               | TIME(3)
            TIMESTAMP             | TIMESTAMP(6)
            TIMESTAMP(3)          | TIMESTAMP(3)
            timestamp(0)          | TIMESTAMP(0)
            TIMESTAMP(9)          | TIMESTAMP(9)
            TIMESTAMP_LTZ         | TIMESTAMP_LTZ(6)
            timestamp_ltz(3)      | TIMESTAMP_LTZ(3)
            """)
    void normalizesEveryAllowedSpellingToItsCanonicalText(String typeText, String canonical) {
        assertThat(SqlTypes.normalize(typeText)).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            DECIMAL(40, 2)   | invalid type 'DECIMAL(40, 2)': DECIMAL precision must be from 1 to 38, got 40
            DECIMAL(0)       | invalid type 'DECIMAL(0)': DECIMAL precision must be from 1 to 38, got 0
            DECIMAL(5, 6)    | invalid type 'DECIMAL(5, 6)': DECIMAL scale must be from 0 to 5, got 6
            DECIMAL          | invalid type 'DECIMAL': DECIMAL needs a precision, for example DECIMAL(12, 2) (precision 1 to 38, scale 0 to precision)
            VARCHAR          | invalid type 'VARCHAR': VARCHAR needs a length, for example VARCHAR(255); use STRING for text of any length
            VARCHAR(0)       | invalid type 'VARCHAR(0)': VARCHAR length must be from 1 to 2147483647, got 0
            CHAR(99999999999) | invalid type 'CHAR(99999999999)': CHAR length must be from 1 to 2147483647, got 99999999999
            TIME(4)          | invalid type 'TIME(4)': TIME precision must be from 0 to 3, got 4
            TIMESTAMP(10)    | invalid type 'TIMESTAMP(10)': TIMESTAMP precision must be from 0 to 9, got 10
            TIMESTAMP_LTZ(12) | invalid type 'TIMESTAMP_LTZ(12)': TIMESTAMP_LTZ precision must be from 0 to 9, got 12
            TIMESTAMP(3, 1)  | invalid type 'TIMESTAMP(3, 1)': TIMESTAMP takes one parameter, got two
            BIGINT(20)       | invalid type 'BIGINT(20)': BIGINT takes no length or precision; write BIGINT
            """)
    void rejectsParametersOutOfRangeSayingWhatIsAllowed(String typeText, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> SqlTypes.normalize(typeText)).withMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            VARCHR
            NUMERIC(10, 2)
            TIMESTAMP(3) WITH LOCAL TIME ZONE
            'DECIMAL(1, 2, 3)'
            MAP<STRING, INT>
            """)
    void rejectsUnknownTypesListingTheAllowedOnes(String typeText) {
        assertThatIllegalArgumentException().isThrownBy(() -> SqlTypes.normalize(typeText))
                .withMessage("unsupported type '" + typeText + "'; allowed types are: STRING, VARCHAR(n), CHAR(n), "
                        + "BOOLEAN, TINYINT, SMALLINT, INT, INTEGER, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), "
                        + "DECIMAL(p), DATE, TIME, TIME(p), TIMESTAMP, TIMESTAMP(p), TIMESTAMP_LTZ, TIMESTAMP_LTZ(p)");
    }

    @Test
    void rejectsAnEmptyType() {
        assertThatIllegalArgumentException().isThrownBy(() -> SqlTypes.normalize("  "))
                .withMessageStartingWith("type is empty; allowed types are: STRING, VARCHAR(n)");
    }

    @Test
    void acceptsOnlyMillisecondTimestampsAsEventTime() {
        assertThat(SqlTypes.isEventTimeType("TIMESTAMP(3)")).isTrue();
        assertThat(SqlTypes.isEventTimeType("TIMESTAMP_LTZ(3)")).isTrue();
        assertThat(SqlTypes.isEventTimeType("TIMESTAMP(6)")).isFalse();
        assertThat(SqlTypes.isEventTimeType("TIMESTAMP_LTZ(6)")).isFalse();
        assertThat(SqlTypes.isEventTimeType("BIGINT")).isFalse();
        assertThat(SqlTypes.isEventTimeType("timestamp(3)")).isFalse();
    }
}
