package dev.sluice.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerchantCatalogTest {

    /** Relative to the module directory, where Maven runs tests. */
    private static final Path EXAMPLE = Path.of("../examples/payments/merchants.csv");

    @Test
    void bundledCatalogIsByteIdenticalToTheExampleFile() throws IOException {
        byte[] bundled;
        try (InputStream in = MerchantCatalog.class.getResourceAsStream(MerchantCatalog.RESOURCE)) {
            assertThat(in).as(MerchantCatalog.RESOURCE).isNotNull();
            bundled = in.readAllBytes();
        }

        assertThat(bundled).isEqualTo(Files.readAllBytes(EXAMPLE));
    }

    @Test
    void catalogHoldsMerchantsOneToTwoHundredInOrder() {
        MerchantCatalog catalog = MerchantCatalog.load();

        List<String> expectedIds = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            expectedIds.add(String.format("m-%04d", i));
        }
        assertThat(catalog.merchants()).extracting(Merchant::id).containsExactlyElementsOf(expectedIds);
        assertThat(catalog.merchants()).extracting(Merchant::name).doesNotHaveDuplicates();
        assertThat(catalog.merchants()).extracting(Merchant::category).contains(Category.values());
        assertThat(catalog.merchants()).extracting(Merchant::country).contains(Country.values());
    }

    @Test
    void exampleFileStartsWithTheDocumentedHeader() throws IOException {
        assertThat(Files.readAllLines(EXAMPLE).get(0)).isEqualTo("merchant_id,merchant_name,category,country");
    }

    @Test
    void rejectsARowWithTheWrongNumberOfFieldsNamingTheLine() {
        String text = MerchantCatalog.HEADER + "\nm-0001,Shop,grocery,DE\nm-0002,Shop Two,grocery\n";

        assertThatThrownBy(() -> MerchantCatalog.parse(text, "merchants.csv"))
                .isInstanceOf(SluiceException.class)
                .hasMessage("merchants.csv:3: 3 fields in 'm-0002,Shop Two,grocery'; expected 4"
                        + " (merchant_id,merchant_name,category,country)");
    }

    @Test
    void rejectsAnUnknownCategoryOrCountry() {
        assertThatThrownBy(() -> MerchantCatalog.parse(MerchantCatalog.HEADER + "\nm-0001,Shop,toys,DE\n", "x.csv"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("x.csv:2: category 'toys' is unknown; expected one of [grocery,");
        assertThatThrownBy(() -> MerchantCatalog.parse(MerchantCatalog.HEADER + "\nm-0001,Shop,fuel,XX\n", "x.csv"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("x.csv:2: country 'XX' is not supported");
    }

    @Test
    void rejectsADuplicateMerchantId() {
        String text = MerchantCatalog.HEADER + "\nm-0001,Shop,fuel,DE\nm-0001,Other,fuel,DE\n";

        assertThatThrownBy(() -> MerchantCatalog.parse(text, "x.csv"))
                .isInstanceOf(SluiceException.class)
                .hasMessage("x.csv:3: merchant_id 'm-0001' appears twice");
    }

    @Test
    void rejectsAWrongHeader() {
        assertThatThrownBy(() -> MerchantCatalog.parse("id,name\nm-0001,Shop,fuel,DE\n", "x.csv"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("x.csv:1: header is 'id,name'");
    }
}
