package dev.sluice.broker.internal;

import dev.sluice.broker.InputGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.kafka.server.authorizer.AuthorizerServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's authorizer: allows everything except writes to input topics while the broker's
 * {@link InputGate} is closed. Kafka creates it by class name, so it finds its gate in a registry under the id the
 * broker's configuration carries ({@link #GATE_ID_CONFIG}). It keeps no ACLs; a broker that needs ACLs is an external
 * cluster with an authorizer of its own.
 */
public final class InputGateAuthorizer implements Authorizer {
    /** Broker configuration key naming the gate this authorizer consults. */
    public static final String GATE_ID_CONFIG = "sluice.input-gate.id";
    private static final Logger LOG = LoggerFactory.getLogger(InputGateAuthorizer.class);
    private static final Map<String, InputGate> GATES = new ConcurrentHashMap<>();

    private InputGate gate = new InputGate();
    private volatile boolean refusedLogged;

    /** Makes {@code gate} the one of every authorizer configured with {@code id}. */
    public static void register(String id, InputGate gate) {
        GATES.put(id, gate);
    }

    public static void unregister(String id) {
        GATES.remove(id);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(GATE_ID_CONFIG);
        InputGate registered = id == null ? null : GATES.get(id.toString());
        if (registered == null) {
            throw new IllegalStateException("No input gate is registered under " + GATE_ID_CONFIG + "=" + id
                    + "; the embedded broker registers its gate before it starts");
        }
        gate = registered;
    }

    @Override
    public Map<Endpoint, ? extends CompletionStage<Void>> start(AuthorizerServerInfo serverInfo) {
        return serverInfo.endpoints().stream().collect(Collectors.toMap(e -> e, e -> CompletableFuture.completedFuture(null)));
    }

    @Override
    public List<AuthorizationResult> authorize(AuthorizableRequestContext context, List<Action> actions) {
        List<AuthorizationResult> results = new ArrayList<>(actions.size());
        for (Action action : actions) {
            results.add(refuses(action) ? AuthorizationResult.DENIED : AuthorizationResult.ALLOWED);
        }
        return results;
    }

    private boolean refuses(Action action) {
        if (gate.isOpen()) {
            refusedLogged = false;
            return false;
        }
        boolean refused = action.operation() == AclOperation.WRITE
                && action.resourcePattern().resourceType() == ResourceType.TOPIC
                && InputGate.isInputTopic(action.resourcePattern().name());
        if (refused && !refusedLogged) {
            refusedLogged = true;
            LOG.warn("The embedded broker refuses writes to input topics such as '{}': {}", action.resourcePattern().name(),
                    gate.refusal().orElse("input is closed"));
        }
        return refused;
    }

    @Override
    public AuthorizationResult authorizeByResourceType(AuthorizableRequestContext context, AclOperation op, ResourceType type) {
        // Asked when a producer without cluster-wide IdempotentWrite initialises; the topic check above still applies.
        return AuthorizationResult.ALLOWED;
    }

    @Override
    public List<? extends CompletionStage<AclCreateResult>> createAcls(AuthorizableRequestContext context, List<AclBinding> bindings) {
        return bindings.stream().map(b -> CompletableFuture.completedFuture(new AclCreateResult(
                new UnsupportedVersionException("the embedded broker keeps no ACLs")))).toList();
    }

    @Override
    public List<? extends CompletionStage<AclDeleteResult>> deleteAcls(AuthorizableRequestContext context, List<AclBindingFilter> filters) {
        return filters.stream().map(f -> CompletableFuture.completedFuture(new AclDeleteResult(
                new UnsupportedVersionException("the embedded broker keeps no ACLs")))).toList();
    }

    @Override
    public Iterable<AclBinding> acls(AclBindingFilter filter) {
        return List.of();
    }

    @Override
    public void close() {}
}
