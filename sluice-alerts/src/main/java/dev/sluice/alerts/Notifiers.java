package dev.sluice.alerts;

import dev.sluice.alerts.internal.GuardedHttp;
import dev.sluice.spec.NotifierSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * Builds the {@link AlertNotifier}s of a pipeline from its notifier specs.
 *
 * <pre>{@code
 * Map<String, AlertNotifier> byName = Notifiers.create(spec.notifiers(), Notifiers.Settings.defaults());
 * }</pre>
 */
public final class Notifiers {
    private Notifiers() {}

    /**
     * @param allowPrivateNetworks server-wide {@code alerts.allow-private-networks}: lifts the SSRF address checks for
     *                             every notifier (each notifier may also lift them for itself)
     */
    public record Settings(AddressGuard guard, Secrets secrets, Clock clock, Duration connectTimeout, Duration readTimeout,
            boolean allowPrivateNetworks) {
        public static Settings defaults() {
            return new Settings(AddressGuard.system(), Secrets.fromEnvironment(), Clock.systemUTC(), Duration.ofSeconds(5),
                    Duration.ofSeconds(10), false);
        }
    }

    /**
     * The environment variables a notifier refers to that are not set; a notifier with any is not configured (the
     * demo's webhook until its URL is given) and its notifications are recorded as given up without an attempt.
     */
    public static List<String> missingVariables(NotifierSpec spec, Secrets secrets) {
        List<String> missing = new ArrayList<>();
        Consumer<String> check = text -> secrets.missing(text).ifPresent(missing::add);
        if (spec.url() != null) {
            check.accept(spec.url());
        }
        spec.secret().ifPresent(check);
        spec.smtp().flatMap(NotifierSpec.Smtp::password).ifPresent(check);
        return missing;
    }

    public static Map<String, AlertNotifier> create(List<NotifierSpec> specs, Settings settings) {
        GuardedHttp http = new GuardedHttp(settings.guard(), (SSLSocketFactory) SSLSocketFactory.getDefault(),
                settings.connectTimeout(), settings.readTimeout());
        Map<String, AlertNotifier> notifiers = new LinkedHashMap<>();
        for (NotifierSpec spec : specs) {
            boolean allow = spec.allowPrivateNetworks() || settings.allowPrivateNetworks();
            AlertNotifier notifier = switch (spec.type()) {
                case WEBHOOK -> new WebhookNotifier(spec.name(), spec.url(), spec.secret(), allow, http, settings.secrets(),
                        settings.clock());
                case SLACK -> new SlackNotifier(spec.name(), spec.url(), allow, http, settings.secrets());
                case EMAIL -> new EmailNotifier(spec.name(), spec.smtp().orElseThrow(), allow, settings.guard(), settings.secrets(),
                        settings.readTimeout());
            };
            notifiers.put(spec.name(), notifier);
        }
        return notifiers;
    }
}
