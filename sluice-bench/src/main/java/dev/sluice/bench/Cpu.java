package dev.sluice.bench;

import java.lang.management.ManagementFactory;

/** The process's CPU time. */
final class Cpu {
    private Cpu() {}

    static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
