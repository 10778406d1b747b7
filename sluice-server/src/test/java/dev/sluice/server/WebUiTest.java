package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web UI's static assets, the ECharts WebJar, and how a browser logs in when the server has API keys. */
class WebUiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String KEY = "3f1c9a7e5b2d4c6e8a0b1d3f5e7c9a1b";

    @TempDir
    Path dir;
    DuckDbStore store;
    ApiServer api;
    String base;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void start(ApiKeys keys) {
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(keys);
        api = ApiServer.start(new ApiServerTest.FakeStatus(), new QueryService(store), settings);
        base = "http://localhost:" + api.port();
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postJson(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with a chosen Host header, which java.net.http does not let a caller set. */
    private String rawGet(String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", api.port())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesTheOverviewPageAndTheSharedScriptsAtTheRoot() throws Exception {
        start(ApiKeys.none());

        HttpResponse<String> index = get(base + "/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.body()).contains("<script type=\"module\" src=\"/index.js\"></script>");
        assertThat(index.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(c -> assertThat(c).contains("script-src 'self'"));
        for (String asset : new String[] {"/sluice.css", "/nav.js", "/api.js", "/index.js", "/login.html"}) {
            assertThat(get(base + asset).statusCode()).as(asset).isEqualTo(200);
        }
        assertThat(get(base + "/nav.js").body()).contains("export function renderNav(activePage, pipelineName)");
        assertThat(get(base + "/api.js").body()).contains("export async function getJson(url)", "export async function postJson(url, body)",
                "export function subscribe(url, onEvent");
    }

    @Test
    void servesEChartsFromItsWebJar() throws Exception {
        start(ApiKeys.none());

        HttpResponse<String> echarts = get(base + "/webjars/echarts/" + WebUi.ECHARTS_VERSION + "/dist/echarts.esm.min.js");

        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.body().length()).isGreaterThan(500_000);
    }

    @Test
    void pagesAnswerOnlyToTheHostsTheApiAnswersTo() throws Exception {
        start(ApiKeys.none());

        String rebound = rawGet("/index.html", "attacker.example");

        assertThat(rebound).startsWith("HTTP/1.1 403").doesNotContain("<html");
        assertThat(rawGet("/index.html", "localhost")).startsWith("HTTP/1.1 200").contains("<html");
    }

    @Test
    void withKeysAssetsArePublicButDataNeedsTheKeyOrASessionCookie() throws Exception {
        start(ApiKeys.of(KEY));

        assertThat(get(base + "/index.html").statusCode()).isEqualTo(200);
        assertThat(get(base + "/api/v1/pipelines").statusCode()).isEqualTo(401);
        assertThat(get(base + "/api/v1/session").body()).isEqualTo("{\"keysRequired\":true,\"authenticated\":false}");

        assertThat(postJson(base + "/api/v1/session", "{\"key\":\"wrong\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> login = postJson(base + "/api/v1/session", "{\"key\":\"" + KEY + "\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith(BrowserSessions.COOKIE + "=").contains("HttpOnly", "SameSite=Strict").doesNotContain(KEY);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        assertThat(get(base + "/api/v1/pipelines", "Cookie", cookie).statusCode()).isEqualTo(200);
        assertThat(get(base + "/api/v1/pipelines", "Cookie", BrowserSessions.COOKIE + "=forged").statusCode()).isEqualTo(401);

        HttpResponse<String> logout = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session")).header("Cookie", cookie)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(200);
        assertThat(get(base + "/api/v1/pipelines", "Cookie", cookie).statusCode()).isEqualTo(401);
    }
}
