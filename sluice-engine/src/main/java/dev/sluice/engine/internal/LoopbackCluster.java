package dev.sluice.engine.internal;

import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.io.network.netty.InboundChannelHandlerFactory;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandler;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandlerContext;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Keeps the embedded Flink cluster to this JVM. Sluice drives its job through the MiniCluster's Java API, never
 * through Flink's REST API, but the MiniCluster always starts that REST endpoint, and on it anyone who can reach the
 * port could stop the job with a savepoint into a folder of their choice or cancel it, even a web page through a
 * cross-site {@code text/plain} POST (its responses allow every origin). Flink 2.2 cannot turn the endpoint off, so:
 * every listener (REST, BlobServer, task manager) binds to 127.0.0.1 only, the endpoint allows no origin, and it
 * closes every connection as soon as it is accepted, before reading a byte ({@link RefuseConnections}, a Flink
 * {@link InboundChannelHandlerFactory} found through {@code META-INF/services}).
 */
public final class LoopbackCluster {
    /** Set on the embedded cluster's configuration only, so that other REST endpoints in this JVM are left alone. */
    public static final ConfigOption<Boolean> REFUSE_REST_CONNECTIONS = ConfigOptions.key("sluice.rest.refuse-connections")
            .booleanType()
            .defaultValue(false)
            .withDescription("Whether Flink's REST endpoint closes every connection it accepts (Sluice never uses it).");
    static final String LOOPBACK = "127.0.0.1";
    /** An origin no web page can have: the .invalid top-level domain never resolves. */
    static final String NO_ORIGIN = "https://flink-rest-is-closed.invalid";

    private LoopbackCluster() {}

    public static void configure(Configuration conf) {
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN, NO_ORIGIN);
        conf.set(WebOptions.SUBMIT_ENABLE, false);
        conf.set(WebOptions.CANCEL_ENABLE, false);
        conf.set(REFUSE_REST_CONNECTIONS, true);
    }

    /** Adds a handler that closes every connection to a REST endpoint whose configuration asks for it. */
    public static final class RefuseConnections implements InboundChannelHandlerFactory {
        @Override
        public int priority() {
            return Integer.MAX_VALUE;
        }

        @Override
        public Optional<ChannelHandler> createHandler(Configuration configuration, Map<String, String> responseHeaders) {
            if (!configuration.get(REFUSE_REST_CONNECTIONS)) {
                return Optional.empty();
            }
            return Optional.of(new Closer());
        }
    }

    @ChannelHandler.Sharable
    static final class Closer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            // Never reached through channelActive; refuse anyway if a channel was active before this handler was added.
            org.apache.flink.shaded.netty4.io.netty.util.ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }
}
