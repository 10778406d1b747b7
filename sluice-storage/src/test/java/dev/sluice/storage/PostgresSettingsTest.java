package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresSettingsTest {
    @Test
    void takesTheUserOutOfTheUrlAndKeepsOtherParameters() {
        PostgresSettings s = PostgresSettings.of("postgresql://db.example.com:5432/sluice?sslmode=verify-full&user=loader", Optional.of("pw"));

        assertThat(s.url()).isEqualTo("jdbc:postgresql://db.example.com:5432/sluice?sslmode=verify-full");
        assertThat(s.user()).isEqualTo("loader");
        assertThat(s.location()).isEqualTo("postgresql://db.example.com:5432/sluice?sslmode=verify-full&user=loader");
        assertThat(s.readRole("sluice")).isEqualTo("sluice_reader_sluice");
        assertThat(s.readRole("My-DB")).isEqualTo("sluice_reader_my_db");
        assertThat(PostgresSettings.of("jdbc:postgresql://h/db?user=u", Optional.empty()).url()).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void neverShowsAPassword() {
        PostgresSettings s = PostgresSettings.of("postgresql://h:5432/db?user=u", Optional.of("s3cret"))
                .withReadUrl("postgresql://h:5432/db?user=reader", Optional.of("t0p"));

        assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("t0p").contains("password set").contains("as reader");
        assertThat(s.location()).doesNotContain("s3cret");
    }

    @Test
    void refusesUrlsWithoutUserOrWithAPasswordAndAReadRoleThatWrites() {
        assertThatThrownBy(() -> PostgresSettings.of("postgresql://h:5432/db", Optional.empty()))
                .hasMessage("--store must name the user to log in as, e.g. postgresql://h:5432/db?user=sluice; got 'postgresql://h:5432/db'");
        assertThatThrownBy(() -> PostgresSettings.of("postgresql://h/db?user=u&password=x", Optional.empty()))
                .hasMessageStartingWith("--store must not hold a password");
        assertThatThrownBy(() -> PostgresSettings.of("mysql://h/db?user=u", Optional.empty()))
                .hasMessage("--store must be a URL like postgresql://localhost:5432/sluice?user=sluice, got 'mysql://h/db?user=u'");
        assertThatThrownBy(() -> PostgresSettings.of("postgresql://h/db?user=u", Optional.empty()).withReadUrl("postgresql://h/db?user=u",
                Optional.empty())).hasMessage("the read URL logs in as 'u', the role that writes; give a read-only role");
    }
}
