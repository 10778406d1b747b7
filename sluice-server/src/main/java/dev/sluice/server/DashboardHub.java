package dev.sluice.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.PanelSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecProblem;
import dev.sluice.storage.QueryRejectedException;
import dev.sluice.storage.QueryResult;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultColumn;
import dev.sluice.storage.TooManyQueriesException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every open dashboard page up to date by push. When the loader of a pipeline commits a batch
 * ({@link #committed}), each panel that reads one of the changed tables is evaluated again, once, and its result is
 * pushed to every subscriber of its dashboard: N open pages cost one query per panel and commit, not N.
 *
 * <p>Bounded on every side: a panel is evaluated at most once per {@link Limits#minInterval()} and never twice at a
 * time (commits in between are coalesced into one evaluation after it), on {@link Limits#threads()} threads of its
 * own with its own {@link QueryService} (so dashboards cannot crowd out the API); a result is at most
 * {@link Limits#maxRows()} rows and {@link Limits#maxPayloadBytes()} of JSON (larger ones become the panel's error);
 * at most {@link Limits#maxSubscribers()} pages subscribe at once. A subscriber keeps only the newest update of each
 * panel it has not yet taken, so a slow page never blocks the loader or the evaluations and never piles up memory.
 *
 * <pre>{@code
 * DashboardHub hub = new DashboardHub(new QueryService(store), DashboardHub.Limits.defaults(), Clock.systemUTC());
 * hub.deploy(spec, Set.of("merchant_revenue", "large_payments"));   // checks the panels' SQL, evaluates them
 * loader.addCommitListener(tables -> hub.committed(spec.name(), tables));
 * try (DashboardHub.Subscription s = hub.subscribe("payments", "live")) {
 *     String event = s.next(Duration.ofSeconds(15));                // the snapshot first, then panel updates
 * }
 * }</pre>
 */
public final class DashboardHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param minInterval     the least time between the starts of two evaluations of one panel
     * @param threads         threads that evaluate panels
     * @param maxRows         rows a panel's query may return (more are cut off and marked truncated)
     * @param maxPayloadBytes JSON bytes one panel's result may take
     * @param maxSubscribers  open pages (event streams) at once, over all dashboards
     */
    public record Limits(Duration minInterval, int threads, int maxRows, int maxPayloadBytes, int maxSubscribers) {
        public static Limits defaults() {
            return new Limits(Duration.ofMillis(200), 2, 1000, 1_000_000, 64);
        }
    }

    private final QueryService queries;
    private final Limits limits;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, List<Board>> pipelines = new ConcurrentHashMap<>();
    private final AtomicInteger subscribers = new AtomicInteger();

    public DashboardHub(QueryService queries, Limits limits, Clock clock) {
        this.queries = queries;
        this.limits = limits;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(limits.threads(), r -> {
            Thread t = new Thread(r, "sluice-dashboards-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Checks every panel's SQL against the pipeline's tables (one read-only statement over them, the rules of the
     * query API) without running it.
     *
     * @param tables the names of the pipeline's storage tables (in its schema)
     * @return per dashboard and panel, the tables the panel reads (lower-case {@code schema.table})
     * @throws SpecException with a problem at the SQL of every panel that breaks the rules
     */
    public List<List<Set<String>>> check(PipelineSpec spec, Set<String> tables) {
        List<SpecProblem> problems = new ArrayList<>();
        List<List<Set<String>>> read = new ArrayList<>();
        for (int d = 0; d < spec.dashboards().size(); d++) {
            DashboardSpec dashboard = spec.dashboards().get(d);
            List<Set<String>> panels = new ArrayList<>();
            for (int p = 0; p < dashboard.panels().size(); p++) {
                PanelSpec panel = dashboard.panels().get(p);
                try {
                    panels.add(queries.tablesRead(panel.sql(), spec.name(), tables));
                } catch (QueryRejectedException e) {
                    problems.add(new SpecProblem(panel.sqlLocation(), "dashboards[" + d + "].panels[" + p + "].sql",
                            "the panel's query is refused: " + e.getMessage()));
                    panels.add(Set.of());
                }
            }
            read.add(panels);
        }
        if (!problems.isEmpty()) {
            throw new SpecException(problems);
        }
        return read;
    }

    /**
     * Checks the pipeline's panels ({@link #check}), replaces its dashboards with them and evaluates every panel. Pages
     * open on the previous version's dashboards are told to reload.
     *
     * @throws SpecException when a panel's SQL breaks the rules; the running dashboards are left as they were
     */
    public void deploy(PipelineSpec spec, Set<String> tables) {
        List<List<Set<String>>> read = check(spec, tables);
        List<Board> boards = new ArrayList<>();
        for (int d = 0; d < spec.dashboards().size(); d++) {
            DashboardSpec dashboard = spec.dashboards().get(d);
            List<Panel> panels = new ArrayList<>();
            for (int p = 0; p < dashboard.panels().size(); p++) {
                panels.add(new Panel(spec.name(), "p" + p, dashboard.panels().get(p), read.get(d).get(p)));
            }
            boards.add(new Board(spec.name(), dashboard, panels));
        }
        List<Board> previous = boards.isEmpty() ? pipelines.remove(spec.name()) : pipelines.put(spec.name(), List.copyOf(boards));
        retire(previous);
        for (Board board : boards) {
            for (Panel panel : board.panels) {
                panel.request(board);
            }
        }
    }

    /** Forgets the pipeline's dashboards; their pages are told to reload. */
    public void remove(String pipeline) {
        retire(pipelines.remove(pipeline));
    }

    private void retire(List<Board> boards) {
        if (boards != null) {
            for (Board board : boards) {
                board.retire();
            }
        }
    }

    /**
     * Called by the loader of {@code pipeline} after each commit: evaluates again every panel that reads one of
     * {@code tables} ({@code schema.table}). Returns at once; the evaluations run on the hub's threads.
     */
    public void committed(String pipeline, Set<String> tables) {
        List<Board> boards = pipelines.get(pipeline);
        if (boards == null) {
            return;
        }
        Set<String> changed = new HashSet<>();
        for (String t : tables) {
            changed.add(t.toLowerCase(Locale.ROOT));
        }
        for (Board board : boards) {
            for (Panel panel : board.panels) {
                for (String t : panel.tables) {
                    if (changed.contains(t)) {
                        panel.request(board);
                        break;
                    }
                }
            }
        }
    }

    /** The dashboards of a pipeline, as written in its file. */
    public List<DashboardSpec> dashboards(String pipeline) {
        return pipelines.getOrDefault(pipeline, List.of()).stream().map(b -> b.spec).toList();
    }

    /** A dashboard with the latest result of each of its panels, as the JSON the API answers. */
    public Optional<String> current(String pipeline, String dashboard) {
        return board(pipeline, dashboard).map(Board::snapshotJson);
    }

    /** How often the panel (index in its dashboard) has been evaluated; for tests and monitoring. */
    public long evaluations(String pipeline, String dashboard, int panel) {
        return board(pipeline, dashboard).map(b -> b.panels.get(panel).evaluations.get()).orElse(0L);
    }

    /**
     * Subscribes to a dashboard: the first event is a snapshot of all panels, then one event per panel update.
     *
     * @return empty when the pipeline has no such dashboard
     * @throws TooManySubscribersException when {@link Limits#maxSubscribers()} pages are subscribed already
     */
    public Optional<Subscription> subscribe(String pipeline, String dashboard) {
        Optional<Board> board = board(pipeline, dashboard);
        if (board.isEmpty()) {
            return Optional.empty();
        }
        if (subscribers.incrementAndGet() > limits.maxSubscribers()) {
            subscribers.decrementAndGet();
            throw new TooManySubscribersException("too many open dashboard pages: at most " + limits.maxSubscribers()
                    + " may follow dashboards at once; close one and try again");
        }
        Subscription s = new Subscription(board.get());
        board.get().add(s);
        return Optional.of(s);
    }

    /** Closes every subscription, so that their event streams end; for a server that stops. */
    public void closeSubscriptions() {
        for (List<Board> boards : pipelines.values()) {
            for (Board board : boards) {
                for (Subscription s : List.copyOf(board.subscriptions)) {
                    s.close();
                }
            }
        }
    }

    /** Open subscriptions over all dashboards. */
    public int subscribers() {
        return subscribers.get();
    }

    private Optional<Board> board(String pipeline, String dashboard) {
        return pipelines.getOrDefault(pipeline, List.of()).stream().filter(b -> b.spec.name().equals(dashboard)).findFirst();
    }

    @Override
    public void close() {
        closeSubscriptions();
        executor.shutdownNow();
        for (String pipeline : List.copyOf(pipelines.keySet())) {
            remove(pipeline);
        }
    }

    /** Refused because the limit of subscribers is reached. */
    public static final class TooManySubscribersException extends SluiceException {
        private static final long serialVersionUID = 1L;

        TooManySubscribersException(String message) {
            super(message);
        }
    }

    /**
     * One page's feed of a dashboard: events as JSON text, {@code {"type":"snapshot","dashboard":{...}}} first, then
     * {@code {"type":"panel","panel":{...}}} per update, and {@code {"type":"reload"}} when the dashboard was
     * redeployed or removed (the subscription is closed then). Holds at most the newest event per panel.
     */
    public final class Subscription implements AutoCloseable {
        private final Board board;
        /** Events not yet taken, by panel id ("" for the snapshot and for reload), newest only. Guarded by this. */
        private final LinkedHashMap<String, String> pending = new LinkedHashMap<>();
        private boolean closed;
        private boolean ending;

        private Subscription(Board board) {
            this.board = board;
            pending.put("", event("snapshot", "dashboard", board.snapshot()));
        }

        synchronized void offer(String key, String event) {
            if (!closed && !ending) {
                pending.remove(key);
                pending.put(key, event);
                notifyAll();
            }
        }

        synchronized void end(String event) {
            if (!closed && !ending) {
                pending.clear();
                pending.put("", event);
                ending = true;
                notifyAll();
            }
        }

        /**
         * The next event, waiting up to {@code wait} for one; null when none came (send a keep-alive) or when the
         * subscription is closed ({@link #isClosed()}).
         */
        public synchronized String next(Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (pending.isEmpty() && !closed && !ending) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (pending.isEmpty()) {
                return null;
            }
            String key = pending.keySet().iterator().next();
            return pending.remove(key);
        }

        public synchronized boolean isClosed() {
            return closed || (ending && pending.isEmpty());
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                pending.clear();
                notifyAll();
            }
            board.removeSubscriber(this);
            subscribers.decrementAndGet();
        }
    }

    private static String event(String type, String field, Object value) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", type);
        if (field != null) {
            json.put(field, value);
        }
        return write(json);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A dashboard value cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** One dashboard: its panels and the pages that follow it. */
    private final class Board {
        final String pipeline;
        final DashboardSpec spec;
        final List<Panel> panels;
        final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

        Board(String pipeline, DashboardSpec spec, List<Panel> panels) {
            this.pipeline = pipeline;
            this.spec = spec;
            this.panels = List.copyOf(panels);
        }

        void add(Subscription s) {
            subscriptions.add(s);
        }

        void removeSubscriber(Subscription s) {
            subscriptions.remove(s);
        }

        void push(Panel panel, Map<String, Object> state) {
            if (subscriptions.isEmpty()) {
                return;
            }
            String event = event("panel", "panel", state);
            for (Subscription s : subscriptions) {
                s.offer(panel.id, event);
            }
        }

        void retire() {
            for (Panel panel : panels) {
                panel.retire();
            }
            String reload = event("reload", null, null);
            for (Subscription s : subscriptions) {
                s.end(reload);
            }
        }

        Map<String, Object> snapshot() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pipeline", pipeline);
            json.put("name", spec.name());
            json.put("title", spec.title());
            List<Object> states = new ArrayList<>();
            for (Panel panel : panels) {
                states.add(panel.state());
            }
            json.put("panels", states);
            return json;
        }

        String snapshotJson() {
            return write(snapshot());
        }
    }

    /** One panel: its query, the tables it reads, its latest result, and when it is to be evaluated again. */
    private final class Panel {
        final String pipeline;
        final String id;
        final PanelSpec spec;
        final Set<String> tables;
        final AtomicLong evaluations = new AtomicLong();
        /** Guarded by this: an evaluation is scheduled or running; another was asked for meanwhile; retired. */
        private boolean scheduled;
        private boolean again;
        private boolean retired;
        private long lastStartNanos = Long.MIN_VALUE;
        private volatile Map<String, Object> state;

        Panel(String pipeline, String id, PanelSpec spec, Set<String> tables) {
            this.pipeline = pipeline;
            this.id = id;
            this.spec = spec;
            this.tables = Set.copyOf(tables);
            this.state = describe(null, null, 0);
        }

        /** Asks for an evaluation: scheduled unless one is pending (then it covers this commit too). */
        synchronized void request(Board board) {
            if (retired) {
                return;
            }
            if (scheduled) {
                again = true;
                return;
            }
            scheduled = true;
            long wait = lastStartNanos == Long.MIN_VALUE ? 0
                    : Math.max(0, lastStartNanos + limits.minInterval().toNanos() - System.nanoTime());
            try {
                executor.schedule(() -> evaluate(board), wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled = false;
            }
        }

        synchronized void retire() {
            retired = true;
        }

        private void evaluate(Board board) {
            synchronized (this) {
                again = false;
                lastStartNanos = System.nanoTime();
                if (retired) {
                    scheduled = false;
                    return;
                }
            }
            boolean retry = false;
            try {
                evaluations.incrementAndGet();
                long start = System.nanoTime();
                Map<String, Object> next;
                try {
                    QueryResult result = queries.query(spec.sql(), limits.maxRows(), QueryScope.pipeline(pipeline));
                    String missing = missingColumn(result);
                    next = missing != null ? describe(null, missing, start) : describe(result, null, start);
                    int size = write(next).length();
                    if (size > limits.maxPayloadBytes()) {
                        next = describe(null, "the result takes " + size + " bytes of JSON, more than the " + limits.maxPayloadBytes()
                                + " a panel may push; aggregate more, or add a LIMIT", start);
                    }
                } catch (TooManyQueriesException e) {
                    retry = true;
                    return;
                } catch (SluiceException e) {
                    next = describe(null, e.getMessage(), start);
                }
                state = next;
                board.push(this, next);
            } catch (RuntimeException e) {
                LOG.warn("Evaluating panel '{}' of dashboard '{}' of pipeline '{}' failed.", spec.title(), board.spec.name(), pipeline, e);
            } finally {
                boolean rerun;
                synchronized (this) {
                    scheduled = false;
                    rerun = (again || retry) && !retired;
                }
                if (rerun) {
                    request(board);
                }
            }
        }

        /** The first option column the result lacks, as a message, or null. */
        private String missingColumn(QueryResult result) {
            List<String> names = result.columns().stream().map(ResultColumn::name).toList();
            for (String column : spec.options().columns()) {
                if (!names.contains(column)) {
                    return "the panel's options name the column '" + column + "', but the query's result has the columns: "
                            + String.join(", ", names);
                }
            }
            return null;
        }

        Map<String, Object> state() {
            return state;
        }

        private Map<String, Object> describe(QueryResult result, String error, long startNanos) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", id);
            json.put("title", spec.title());
            json.put("visual", spec.visual().key());
            json.put("options", options(spec.options()));
            json.put("columns", result == null ? null : result.columns().stream().map(ResultColumn::name).toList());
            json.put("rows", result == null ? null : result.rows());
            json.put("truncated", result != null && result.truncated());
            json.put("error", error);
            boolean evaluated = result != null || error != null;
            json.put("evaluatedAt", evaluated ? clock.instant().toString() : null);
            json.put("evaluationMillis", evaluated ? (System.nanoTime() - startNanos) / 1_000_000 : null);
            json.put("evaluations", evaluations.get());
            return json;
        }
    }

    /** A panel's options as the page reads them. */
    static Map<String, Object> options(PanelSpec.Options o) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("x", o.x());
        json.put("y", o.y());
        json.put("series", o.series());
        json.put("label", o.label());
        json.put("value", o.value());
        json.put("lat", o.lat());
        json.put("lon", o.lon());
        json.put("limit", o.limit() == null ? PanelSpec.Options.DEFAULT_LIMIT : o.limit());
        json.put("unit", o.unit());
        json.put("size", o.size().key());
        return json;
    }
}
