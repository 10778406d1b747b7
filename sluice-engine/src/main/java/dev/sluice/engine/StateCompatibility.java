package dev.sluice.engine;

import dev.sluice.SluiceException;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;

/**
 * Whether a compiled pipeline can take over the state of a checkpoint or savepoint, found before its job starts instead
 * of by Flink failing the job, or worse, restoring state into an operator that now computes something else.
 *
 * <p>Flink matches state to operators by an id derived from the operator's place in the job graph, not from what it
 * computes. So two things are checked for every operator that holds state in the snapshot: that an operator with its id
 * exists in the new job (else the state has no place: a view was removed or its shape changed), and that the operator
 * still does what it did when the state was written, by comparing Flink's description of it ({@code
 * GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n])}) with the one recorded at the previous deploy (else a view
 * changed its aggregation, join or window in place, and its old state would be misread).
 *
 * <p>A change the descriptions do not show (a column type inside an aggregate, say) is left to Flink, which refuses a
 * state whose serializer is incompatible when the job starts; Sluice then keeps the previous version's savepoint.
 */
public final class StateCompatibility {
    private static final Pattern NODE_ID = Pattern.compile("\\[\\d+\\]:");

    private StateCompatibility() {}

    /**
     * What was found: operators whose state has no place in the new job, and operators that hold state but changed what
     * they compute, each as a sentence for people.
     */
    public record Verdict(List<String> missing, List<String> changed) {
        public Verdict {
            missing = List.copyOf(missing);
            changed = List.copyOf(changed);
        }

        public boolean fits() {
            return missing.isEmpty() && changed.isEmpty();
        }

        public List<String> problems() {
            List<String> all = new ArrayList<>(missing);
            all.addAll(changed);
            return all;
        }
    }

    /**
     * Flink's description of every operator of the pipeline's job by its operator id (hex), to be recorded at deploy
     * and compared at the next one. Call it before the job is submitted: it reads the job's transformations.
     */
    public static Map<String, String> operatorDescriptions(CompiledPipeline pipeline) {
        // Without clearing the transformations: the same environment is submitted afterwards.
        StreamGraph graph = pipeline.environment().getStreamGraph(false);
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph);
        Map<String, String> descriptions = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            byte[] hash = hashes.get(node.getId());
            if (hash != null) {
                String description = node.getOperatorDescription();
                descriptions.put(new OperatorID(hash).toHexString(),
                        withoutNodeIds(description == null ? node.getOperatorName() : description));
            }
        }
        return descriptions;
    }

    /** The planner numbers its nodes ({@code [4]:GroupAggregate(...)}); the numbers shift when other views change. */
    private static String withoutNodeIds(String description) {
        return NODE_ID.matcher(description).replaceAll("");
    }

    /**
     * Checks the newest state in {@code state} (see {@link #check(CompiledPipeline, URI, Map)}); fits when there is none.
     * Retained checkpoints rotate while a job runs, so a checkpoint that disappears while it is read is replaced by the
     * then newest one.
     */
    public static Verdict check(CompiledPipeline next, StateLocations state, Map<String, String> before) {
        for (int attempt = 1; ; attempt++) {
            Optional<URI> newest = state.latestRestorePoint();
            if (newest.isEmpty()) {
                return new Verdict(List.of(), List.of());
            }
            try {
                return check(next, newest.get(), before);
            } catch (SluiceException e) {
                boolean gone = e.getCause() instanceof FileNotFoundException || e.getCause() instanceof NoSuchFileException;
                if (!gone || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * Checks {@code next} against the state in {@code snapshot} (a checkpoint or savepoint directory, on any file system
     * Flink has), given the operator descriptions recorded when that state's job was deployed (empty when unknown: then
     * only missing operators are found).
     *
     * @throws SluiceException when the snapshot cannot be read
     */
    public static Verdict check(CompiledPipeline next, URI snapshot, Map<String, String> before) {
        Map<String, String> now = operatorDescriptions(next);
        List<String> missing = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (OperatorState state : read(snapshot).getOperatorStates()) {
            boolean holdsState = state.getStateSize() > 0 || state.getCoordinatorState() != null;
            if (!holdsState) {
                continue;
            }
            String id = state.getOperatorID().toHexString();
            String was = before.get(id);
            String name = was != null ? was : state.getOperatorName().orElse("operator " + id);
            String is = now.get(id);
            if (is == null) {
                missing.add(name + " holds " + state.getStateSize() + " bytes of state and is not in the new version");
            } else if (was != null && !was.equals(is)) {
                changed.add(was + " became " + is);
            }
        }
        return new Verdict(missing, changed);
    }

    private static CheckpointMetadata read(URI snapshot) {
        URI file = StateLocations.child(snapshot, "_metadata");
        try (InputStream in = StateFileSystems.get(file).open(new Path(file))) {
            return Checkpoints.loadCheckpointMetadata(new DataInputStream(in), StateCompatibility.class.getClassLoader(),
                    snapshot.toString());
        } catch (IOException e) {
            throw new SluiceException("Cannot read the Flink state " + file + ": " + e.getMessage(), e);
        }
    }
}
