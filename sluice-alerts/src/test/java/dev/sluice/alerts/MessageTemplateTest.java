package dev.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTemplateTest {

    @Test
    void rendersPlaceholdersAndLiteralBraces() {
        MessageTemplate t = MessageTemplate.parse("card {card_id}: {{ {n} }}");
        assertThat(t.placeholders()).containsExactly("card_id", "n");
        assertThat(t.render(Map.of("card_id", "c7", "n", "4"))).isEqualTo("card c7: { 4 }");
    }

    @Test
    void rejectsAnUnclosedPlaceholder() {
        assertThatThrownBy(() -> MessageTemplate.parse("card {card_id"))
                .hasMessage("the placeholder at character 6 of message 'card {card_id' is not closed; expected {column}, or {{ for a literal brace");
    }
}
