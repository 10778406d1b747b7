package dev.sluice.alerts;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} references from the environment when a notification is sent. Values are never logged
 * or put into messages; a missing variable is reported by its name only.
 */
public final class Secrets {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private final Function<String, String> environment;

    public Secrets(Function<String, String> environment) {
        this.environment = environment;
    }

    public static Secrets fromEnvironment() {
        return new Secrets(System::getenv);
    }

    /** The variable a {@code ${env:NAME}} reference names when it is not set; empty for set variables and plain text. */
    public Optional<String> missing(String text) {
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        String value = environment.apply(m.group(1));
        return value == null || value.isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The text with a whole-value {@code ${env:NAME}} replaced by the variable's value; other text is returned as is. */
    public String resolve(String text, String what) {
        Matcher m = REFERENCE.matcher(text);
        if (!m.matches()) {
            return text;
        }
        String value = environment.apply(m.group(1));
        if (value == null || value.isEmpty()) {
            throw new DeliveryException(what + " is taken from the environment variable " + m.group(1)
                    + ", which is not set", false);
        }
        return value;
    }
}
