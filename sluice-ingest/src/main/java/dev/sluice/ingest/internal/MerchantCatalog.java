package dev.sluice.ingest.internal;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The 200 merchants of the payments demo, read from the classpath resource
 * {@code dev/sluice/ingest/merchants.csv}. The same file ships as {@code examples/payments/merchants.csv} for
 * the pipeline's enrichment join, so generated payments and the reference table always agree.
 *
 * <p>The format is deliberately plain: a fixed header, four comma-separated fields per line, no quoting (names
 * contain no commas). Anything else is rejected with the line number rather than guessed at.
 */
public final class MerchantCatalog {

    /** Classpath location of the catalog. */
    public static final String RESOURCE = "/dev/sluice/ingest/merchants.csv";
    /** The exact first line of the file. */
    public static final String HEADER = "merchant_id,merchant_name,category,country";

    private static final Pattern MERCHANT_ID = Pattern.compile("m-\\d{4}");

    private final List<Merchant> merchants;

    private MerchantCatalog(List<Merchant> merchants) {
        this.merchants = List.copyOf(merchants);
    }

    /** Loads the catalog bundled with this module. */
    public static MerchantCatalog load() {
        try (InputStream in = MerchantCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new SluiceException("Merchant catalog " + RESOURCE + " is missing from the classpath;"
                        + " expected it inside the sluice-ingest jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new SluiceException("Could not read merchant catalog " + RESOURCE, e);
        }
    }

    /**
     * Parses catalog text; {@code source} names it in error messages.
     *
     * @throws SluiceException naming {@code source:line} if the text is not a valid catalog
     */
    public static MerchantCatalog parse(String text, String source) {
        String[] lines = text.split("\r?\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new SluiceException(source + ":1: header is '" + lines[0] + "'; expected '" + HEADER + "'");
        }
        List<Merchant> merchants = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int lineNumber = i + 1;
            if (line.isEmpty()) {
                if (i == lines.length - 1) {
                    break; // the newline that ends the last row
                }
                throw new SluiceException(source + ":" + lineNumber + ": empty line; expected a merchant row");
            }
            String[] fields = line.split(",", -1);
            if (fields.length != 4) {
                throw new SluiceException(source + ":" + lineNumber + ": " + fields.length + " fields in '" + line
                        + "'; expected 4 (" + HEADER + ")");
            }
            String id = fields[0];
            if (!MERCHANT_ID.matcher(id).matches()) {
                throw new SluiceException(source + ":" + lineNumber + ": merchant_id '" + id
                        + "' is not of the form m-NNNN");
            }
            if (!ids.add(id)) {
                throw new SluiceException(source + ":" + lineNumber + ": merchant_id '" + id + "' appears twice");
            }
            if (fields[1].isBlank() || fields[1].indexOf('"') >= 0) {
                throw new SluiceException(source + ":" + lineNumber + ": merchant_name '" + fields[1]
                        + "' is blank or contains a quote; expected a plain name");
            }
            Category category = Category.byLabel(fields[2]);
            if (category == null) {
                throw new SluiceException(source + ":" + lineNumber + ": category '" + fields[2]
                        + "' is unknown; expected one of " + labels());
            }
            Country country = Country.byCode(fields[3]);
            if (country == null) {
                throw new SluiceException(source + ":" + lineNumber + ": country '" + fields[3]
                        + "' is not supported; expected one of " + List.of(Country.values()));
            }
            merchants.add(new Merchant(id, fields[1], category, country));
        }
        if (merchants.isEmpty()) {
            throw new SluiceException(source + ": no merchants after the header; expected at least one row");
        }
        return new MerchantCatalog(merchants);
    }

    public List<Merchant> merchants() {
        return merchants;
    }

    public int size() {
        return merchants.size();
    }

    /** The merchant at {@code index} in file order, which is also popularity rank order. */
    public Merchant get(int index) {
        return merchants.get(index);
    }

    private static List<String> labels() {
        List<String> labels = new ArrayList<>();
        for (Category category : Category.values()) {
            labels.add(category.label());
        }
        return labels;
    }
}
