package dev.sluice.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CardPoolTest {

    private static double[] shares() {
        double[] shares = new double[Country.count()];
        for (int c = 0; c < shares.length; c++) {
            shares[c] = c + 1; // DE 1, FR 2, ... JP 11: 66 in all
        }
        return shares;
    }

    @Test
    void poolsAreSizedByTrafficShareAndCoverEveryCardOnce() {
        CardPool pool = new CardPool(6_600, shares(), 1);
        int total = 0;
        for (int c = 0; c < Country.count(); c++) {
            assertThat(pool.cardsIn(Country.at(c))).isEqualTo(100 * (c + 1));
            total += pool.cardsIn(Country.at(c));
        }
        assertThat(total).isEqualTo(6_600);
    }

    @Test
    void aCardPaysAgainOnlyAfterEveryOtherCardOfItsCountry() {
        CardPool pool = new CardPool(6_600, shares(), 2);
        Country country = Country.at(3);
        int size = pool.cardsIn(country);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < size; i++) {
            int card = pool.nextIn(country);
            assertThat(pool.home(card)).isEqualTo(country);
            assertThat(seen.add(card)).as("card %d came twice within one round", card).isTrue();
        }
        int first = new CardPool(6_600, shares(), 2).nextIn(country);
        assertThat(pool.nextIn(country)).isEqualTo(first);
    }

    @Test
    void theSameSeedGivesTheSameHomesAndTurns() {
        CardPool a = new CardPool(1_000, shares(), 3);
        CardPool b = new CardPool(1_000, shares(), 3);
        CardPool other = new CardPool(1_000, shares(), 4);
        boolean differs = false;
        for (int card = 0; card < 1_000; card++) {
            assertThat(a.home(card)).isEqualTo(b.home(card));
            differs |= a.home(card) != other.home(card);
        }
        assertThat(a.nextIn(Country.JP)).isEqualTo(b.nextIn(Country.JP));
        assertThat(differs).isTrue();
    }

    @Test
    void rejectsSharesThatDoNotNameEveryCountry() {
        assertThatThrownBy(() -> new CardPool(100, new double[] {1, 2}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Card pool needs one traffic share per country (" + Country.count() + "), got 2");
    }
}
