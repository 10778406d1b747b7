package dev.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AddressGuardTest {

    /** Names that resolve to fixed addresses, so no test depends on the machine's DNS. */
    private static final AddressGuard GUARD = new AddressGuard(host -> {
        Map<String, String> table = Map.of(
                "rebind.example", "127.0.0.1",
                "metadata.example", "169.254.169.254",
                "intranet.example", "10.1.2.3",
                "public.example", "93.184.215.14");
        String address = table.get(host);
        if (address != null) {
            return new InetAddress[] {InetAddress.getByName(address)};
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            return new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
    });

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1|a loopback address (127.0.0.0/8)",
            "127.8.9.10|a loopback address (127.0.0.0/8)",
            "0.0.0.0|an unspecified address (0.0.0.0/8)",
            "10.0.0.1|a private address (RFC 1918)",
            "172.16.5.4|a private address (RFC 1918)",
            "172.31.255.255|a private address (RFC 1918)",
            "192.168.1.1|a private address (RFC 1918)",
            "100.64.0.1|a shared address (100.64.0.0/10)",
            "169.254.1.1|a link-local address (169.254.0.0/16)",
            "169.254.169.254|a cloud metadata address (169.254.169.254)",
            "224.0.0.1|a multicast address",
            "255.255.255.255|a reserved or broadcast address (240.0.0.0/4)",
            "[::1]|a loopback address",
            "[::]|an unspecified address",
            "[fe80::1]|a link-local address (fe80::/10)",
            "[fc00::1]|a private address (fc00::/7)",
            "[fd12:3456::1]|a private address (fc00::/7)",
            "[fd00:ec2::254]|a cloud metadata address (fd00:ec2::/32)",
            "[fec0::1]|a private address (fec0::/10)",
            "[ff02::1]|a multicast address",
            "[::ffff:127.0.0.1]|a loopback address (127.0.0.0/8)",
            "[::ffff:169.254.169.254]|a cloud metadata address (169.254.169.254)",
            "[::ffff:a9fe:a9fe]|a cloud metadata address (169.254.169.254)",
            "[::10.0.0.1]|an IPv4 address embedded in IPv6 that is private address (RFC 1918)",
            "rebind.example|a loopback address (127.0.0.0/8)",
            "metadata.example|a cloud metadata address (169.254.169.254)",
            "intranet.example|a private address (RFC 1918)"})
    void refusesEveryNonPublicAddressClass(String host, String reason) {
        assertThatThrownBy(() -> GUARD.resolve(host, false))
                .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageStartingWith("refused host '" + host + "': it resolves to ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({"2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001"})
    void refusesAmbiguousNumericForms(String host) {
        assertThatThrownBy(() -> GUARD.resolve(host, true))
                .isInstanceOf(DeliveryException.class)
                .hasMessage("refused host '" + host + "': a numeric address must be written as four decimal numbers without "
                        + "leading zeros (such as 192.0.2.10); other numeric forms are ambiguous");
    }

    @Test
    void acceptsAPublicAddressAndReturnsTheResolvedOne() throws Exception {
        assertThat(GUARD.resolve("public.example", false)).isEqualTo(InetAddress.getByName("93.184.215.14"));
        assertThat(GUARD.resolve("8.8.8.8", false)).isEqualTo(InetAddress.getByName("8.8.8.8"));
        assertThat(GUARD.resolve("[2001:4860:4860::8888]", false)).isEqualTo(InetAddress.getByName("2001:4860:4860::8888"));
    }

    @Test
    void allowsPrivateNetworksOnlyWhenConfigured() throws Exception {
        assertThat(GUARD.resolve("rebind.example", true)).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void refusesANameThatTheRealResolverMapsToLoopback() {
        assertThatThrownBy(() -> AddressGuard.system().resolve("localhost", false))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("a loopback address");
    }
}
