package dev.sluice.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfSamplerTest {

    @Test
    void probabilitiesFollowOneOverRankToTheExponent() {
        ZipfSampler sampler = new ZipfSampler(3, 1.0);

        // weights 1, 1/2, 1/3 -> total 11/6
        assertThat(sampler.probability(0)).isCloseTo(6.0 / 11, within(1e-12));
        assertThat(sampler.probability(1)).isCloseTo(3.0 / 11, within(1e-12));
        assertThat(sampler.probability(2)).isCloseTo(2.0 / 11, within(1e-12));
    }

    @Test
    void samplesMatchTheProbabilities() {
        ZipfSampler sampler = new ZipfSampler(3, 1.0);
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[3];
        int n = 110_000;

        for (int i = 0; i < n; i++) {
            counts[sampler.sample(random)]++;
        }

        assertThat(counts[0]).isBetween(59_000, 61_000); // expected 60,000
        assertThat(counts[1]).isBetween(29_000, 31_000); // expected 30,000
        assertThat(counts[2]).isBetween(19_000, 21_000); // expected 20,000
    }
}
