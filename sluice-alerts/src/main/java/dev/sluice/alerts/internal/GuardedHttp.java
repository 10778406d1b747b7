package dev.sluice.alerts.internal;

import dev.sluice.alerts.AddressGuard;
import dev.sluice.alerts.DeliveryException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal HTTP/1.1 POST over a socket to the one address {@link AddressGuard} approved: the JDK's HTTP clients look
 * the host up again when they connect, which would let a DNS answer that changes between check and use (DNS rebinding)
 * reach a refused address. For https the TLS handshake still verifies the certificate against the host name (SNI and
 * endpoint identification). Redirects are never followed: a 3xx is a non-retryable failure.
 */
public final class GuardedHttp {
    private static final int MAX_ERROR_BODY = 512;

    private final AddressGuard guard;
    private final SSLSocketFactory tls;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    public GuardedHttp(AddressGuard guard, SSLSocketFactory tls, Duration connectTimeout, Duration readTimeout) {
        this.guard = guard;
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** The HTTP status of a 2xx answer; any other outcome is a {@link DeliveryException}. */
    public int post(String url, boolean allowPrivateNetworks, Map<String, String> headers, byte[] body) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new DeliveryException("invalid notifier URL: " + e.getReason(), false, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new DeliveryException("a notifier URL must be http:// or https:// with a host; got scheme '" + scheme + "'", false);
        }
        boolean secure = scheme.equals("https");
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        InetAddress address = guard.resolve(host, allowPrivateNetworks);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String target = host + " (" + address.getHostAddress() + ":" + port + ")";
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            plain.setSoTimeout((int) readTimeout.toMillis());
            Socket socket = secure ? handshake(plain, host, port) : plain;
            try {
                return exchange(socket, uri, host, port, path, headers, body, target);
            } finally {
                if (socket != plain) {
                    socket.close();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new DeliveryException("no answer from " + target + " within " + readTimeout.toMillis() + " ms", true, e);
        } catch (IOException e) {
            throw new DeliveryException("cannot POST to " + target + ": " + e, true, e);
        }
    }

    private Socket handshake(Socket plain, String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.startsWith("[") && !Character.isDigit(host.charAt(host.length() - 1))) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }

    private int exchange(Socket socket, URI uri, String host, int port, String path, Map<String, String> headers, byte[] body,
            String target) throws IOException {
        boolean defaultPort = uri.getPort() < 0;
        StringBuilder head = new StringBuilder();
        head.append("POST ").append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                .append(defaultPort ? "" : ":" + port).append("\r\n");
        head.append("Content-Type: application/json; charset=utf-8\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("User-Agent: sluice-alerts\r\n");
        head.append("Connection: close\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().indexOf('\n') >= 0 || h.getValue().indexOf('\n') >= 0 || h.getValue().indexOf('\r') >= 0) {
                throw new DeliveryException("header " + h.getKey() + " contains a line break", false);
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.")) {
            throw new DeliveryException(target + " did not answer with HTTP/1.x: " + (status == null ? "connection closed" : status), true);
        }
        String[] parts = status.split(" ", 3);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new DeliveryException(target + " answered with a malformed status line: " + status, true, e);
        }
        String location = null;
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            if (line.regionMatches(true, 0, "Location:", 0, 9)) {
                location = line.substring(9).trim();
            }
        }
        if (code >= 200 && code < 300) {
            return code;
        }
        if (code >= 300 && code < 400) {
            throw new DeliveryException(target + " answered " + code + " redirecting to " + location
                    + "; redirects are not followed (configure the final URL)", false);
        }
        String detail = errorBody(in);
        boolean retryable = code >= 500 || code == 429 || code == 408;
        throw new DeliveryException(target + " answered HTTP " + code + (detail.isEmpty() ? "" : ": " + detail), retryable);
    }

    private static String errorBody(InputStream in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            byte[] buffer = new byte[MAX_ERROR_BODY];
            int n = in.read(buffer);
            if (n > 0) {
                bytes.write(buffer, 0, n);
            }
        } catch (IOException e) {
            return "";
        }
        return bytes.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
    }

    /** One header line without its CRLF, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
            if (line.size() > 16_384) {
                throw new IOException("a header line is longer than 16 KiB");
            }
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
