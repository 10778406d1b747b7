package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    private static final List<String> PIPELINES = List.of("fraud", "fraud_detection", "trading");
    private static final Map<String, Set<String>> TASKS = Map.of(
            "fraud", Set.of("Source: payments -> route: payments (1/2)#0", "Window(...) -> result: sluice.fraud.alerts (2/2)#3"),
            "trading", Set.of("Source: ticks -> route: ticks (1/1)#0"));

    @Test
    void flinkTaskThreadsBelongToTheirJob() {
        assertThat(ThreadCpu.owner("Source: payments -> route: payments (1/2)#0", TASKS, PIPELINES)).isEqualTo("fraud");
        assertThat(ThreadCpu.owner("Source Data Fetcher for Source: payments -> route: payments (1/2)#0", TASKS, PIPELINES))
                .isEqualTo("fraud");
        assertThat(ThreadCpu.owner("Window(...) -> result: sluice.fraud.alerts (2/2)#3", TASKS, PIPELINES)).isEqualTo("fraud");
        assertThat(ThreadCpu.owner("Source: ticks -> route: ticks (1/1)#0", TASKS, PIPELINES)).isEqualTo("trading");
    }

    @Test
    void anotherAttemptOfTheSameTaskIsNotTheCurrentOne() {
        assertThat(ThreadCpu.owner("Source: ticks -> route: ticks (1/1)#07", TASKS, List.of())).isEqualTo(ThreadCpu.SHARED);
    }

    @Test
    void aTaskThatTwoJobsShareIsCountedAsShared() {
        Map<String, Set<String>> twins = Map.of("a", Set.of("Source: x (1/1)#0"), "b", Set.of("Source: x (1/1)#0"));
        assertThat(ThreadCpu.owner("Source: x (1/1)#0", twins, List.of("a", "b"))).isEqualTo(ThreadCpu.SHARED);
    }

    @Test
    void clientAndThreadNamesBelongToThePipelineTheyName() {
        assertThat(ThreadCpu.owner("sluice-loader-fraud_detection", TASKS, PIPELINES)).isEqualTo("fraud_detection");
        assertThat(ThreadCpu.owner("sluice-loader-fraud", TASKS, PIPELINES)).isEqualTo("fraud");
        assertThat(ThreadCpu.owner("sluice-notifier-trading", TASKS, PIPELINES)).isEqualTo("trading");
        assertThat(ThreadCpu.owner("kafka-producer-network-thread | producer-sluice-fraud_detection-sink-risk-0-1", TASKS,
                PIPELINES)).isEqualTo("fraud_detection");
        assertThat(ThreadCpu.owner("kafka-coordinator-heartbeat-thread | sluice-fraud", TASKS, PIPELINES)).isEqualTo("fraud");
    }

    @Test
    void theBrokerAndEverythingElseIsShared() {
        assertThat(ThreadCpu.owner("data-plane-kafka-request-handler-0", TASKS, PIPELINES)).isEqualTo(ThreadCpu.SHARED);
        assertThat(ThreadCpu.owner("sluice-loader-unknown", TASKS, PIPELINES)).isEqualTo(ThreadCpu.SHARED);
        assertThat(ThreadCpu.owner("sluice-fraudulent", TASKS, PIPELINES)).isEqualTo(ThreadCpu.SHARED);
        assertThat(ThreadCpu.owner("C2 CompilerThread0", TASKS, PIPELINES)).isEqualTo(ThreadCpu.SHARED);
    }

    @Test
    void aBusyThreadsCpuGoesToItsPipeline() throws Exception {
        ThreadCpu cpu = new ThreadCpu();
        assumeThat(cpu.supported()).as("the JVM measures CPU per thread").isTrue();
        cpu.sample(Map.of(), List.of("busy"));
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch sampled = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            long x = 0;
            while (bean.getCurrentThreadCpuTime() < 50_000_000L) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
            }
            busy.countDown();
            try {
                sampled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-loader-busy");
        worker.start();
        busy.await();
        Map<String, Long> during = cpu.sample(Map.of(), List.of("busy"));
        sampled.countDown();
        worker.join();
        assertThat(during.getOrDefault("busy", 0L)).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(during.getOrDefault("busy", 0L)).isLessThanOrEqualTo(during.values().stream().mapToLong(Long::longValue).sum());
    }
}
