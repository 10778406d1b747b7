package dev.sluice.alerts;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The SSRF guard for outbound notifications: resolves a host name once and refuses it when any of its addresses is
 * loopback, unspecified, private (RFC 1918, 100.64.0.0/10, fc00::/7, fec0::/10), link-local (169.254.0.0/16,
 * fe80::/10, which holds the cloud metadata address 169.254.169.254), the AWS IPv6 metadata address fd00:ec2::254,
 * multicast or broadcast, including those forms written as IPv4-mapped or IPv4-compatible IPv6 addresses. Numeric
 * hosts other than plain dotted decimal (such as {@code 2130706433}, {@code 0x7f.1} or {@code 0177.0.0.1}) are refused,
 * because resolvers disagree on what they mean. The caller connects to exactly the address returned, so a second DNS
 * answer cannot swap in another one.
 *
 * <p>{@code allowPrivateNetworks} lifts the address checks for receivers inside a trusted network (and tests on
 * loopback); it never lifts the numeric-form check.
 */
public final class AddressGuard {
    private static final Pattern NUMERIC_LOOKING = Pattern.compile("(?i)[0-9a-fx.]+");
    private static final Pattern DOTTED_DECIMAL =
            Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");

    /** Looks up all addresses of a host; the JDK resolver in production, a fixed table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Resolver resolver;

    public AddressGuard(Resolver resolver) {
        this.resolver = resolver;
    }

    public static AddressGuard system() {
        return new AddressGuard(InetAddress::getAllByName);
    }

    /** The address to connect to for {@code host}, or a non-retryable {@link DeliveryException} saying why not. */
    public InetAddress resolve(String host, boolean allowPrivateNetworks) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (NUMERIC_LOOKING.matcher(bare).matches() && !bare.contains(":") && looksNumeric(bare)
                && !DOTTED_DECIMAL.matcher(bare).matches()) {
            throw new DeliveryException("refused host '" + host + "': a numeric address must be written as four decimal "
                    + "numbers without leading zeros (such as 192.0.2.10); other numeric forms are ambiguous", false);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new DeliveryException("cannot resolve host '" + host + "': " + e.getMessage(), true, e);
        }
        if (addresses.length == 0) {
            throw new DeliveryException("host '" + host + "' resolved to no address", true);
        }
        if (!allowPrivateNetworks) {
            for (InetAddress address : addresses) {
                String reason = refusal(address);
                if (reason != null) {
                    throw new DeliveryException("refused host '" + host + "': it resolves to " + address.getHostAddress()
                            + ", " + reason + "; set allow-private-networks: true on the notifier to allow it", false);
                }
            }
        }
        return addresses[0];
    }

    private static boolean looksNumeric(String host) {
        // Host names may contain a-f and x; a numeric form has a digit first in every dot-separated label.
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || !Character.isDigit(label.charAt(0))) {
                return false;
            }
        }
        return true;
    }

    /** Why the address is refused, or null when it is a public unicast address. */
    public static String refusal(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            if (isIpv4Embedded(b)) {
                try {
                    InetAddress v4 = InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                    String inner = refusal(v4);
                    return inner == null ? null : "an IPv4 address embedded in IPv6 that is " + inner.substring(inner.indexOf(' ') + 1);
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("four bytes are always an IPv4 address", e);
                }
            }
            if (v6.isLoopbackAddress()) {
                return "a loopback address";
            }
            if (v6.isAnyLocalAddress()) {
                return "an unspecified address";
            }
            if (v6.isLinkLocalAddress()) {
                return "a link-local address (fe80::/10)";
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return (b[0] & 0xff) == 0xfd && (b[1] & 0xff) == 0x00 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2
                        ? "a cloud metadata address (fd00:ec2::/32)" : "a private address (fc00::/7)";
            }
            if (v6.isSiteLocalAddress()) {
                return "a private address (fec0::/10)";
            }
            if (v6.isMulticastAddress()) {
                return "a multicast address";
            }
            return null;
        }
        byte[] b = address.getAddress();
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 169 && a1 == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
            return "a cloud metadata address (169.254.169.254)";
        }
        if (address.isLoopbackAddress()) {
            return "a loopback address (127.0.0.0/8)";
        }
        if (address.isAnyLocalAddress() || a0 == 0) {
            return "an unspecified address (0.0.0.0/8)";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (169.254.0.0/16)";
        }
        if (address.isSiteLocalAddress()) {
            return "a private address (RFC 1918)";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "a shared address (100.64.0.0/10)";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        if (a0 >= 240) {
            return "a reserved or broadcast address (240.0.0.0/4)";
        }
        return null;
    }

    /** IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses carry an IPv4 address in the last 4 bytes. */
    private static boolean isIpv4Embedded(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = b[10] == 0 && b[11] == 0 && ((b[12] | b[13] | b[14]) != 0 || (b[15] & 0xff) > 1);
        return mapped || compatible;
    }

    static boolean isInet4(InetAddress address) {
        return address instanceof Inet4Address;
    }
}
