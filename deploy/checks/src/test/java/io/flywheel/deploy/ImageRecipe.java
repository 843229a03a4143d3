package io.flywheel.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a Dockerfile leaves in its final image: the base, the user it runs as, its environment, its entrypoint,
 * and who owns each folder it creates. Only the instructions that decide those are followed: FROM, USER, ENV,
 * WORKDIR, COPY/ADD, ENTRYPOINT, and {@code mkdir}/{@code chown} in RUN.
 */
final class ImageRecipe {

    private static final Pattern MAX_HEAP = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)");
    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    final Path file;
    BaseImage base;
    /** Numeric id of the user the image runs as. */
    String userId;
    final Map<String, String> environment = new LinkedHashMap<>();
    /** Folder → numeric id of its owner: the base image's folders and those the recipe creates. */
    final Map<String, String> folderOwners = new LinkedHashMap<>();
    List<String> entrypoint = List.of();
    /** Steps that would stop {@code docker build}, e.g. a mkdir in a folder the current user cannot write. */
    final List<String> buildFailures = new ArrayList<>();
    private String workdir = "/";

    private ImageRecipe(Path file) {
        this.file = file;
    }

    /** A published image run as it is. */
    static ImageRecipe pulled(String reference) {
        ImageRecipe recipe = new ImageRecipe(null);
        recipe.apply("FROM", reference);
        return recipe;
    }

    /** The recipe and every other Dockerfile* in its folder (JVM and native), parsed. */
    static List<ImageRecipe> beside(Path dockerfile) {
        try (Stream<Path> siblings = Files.list(dockerfile.getParent())) {
            return siblings.filter(f -> f.getFileName().toString().startsWith("Dockerfile")).sorted().map(ImageRecipe::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ImageRecipe parse(Path dockerfile) {
        ImageRecipe recipe = new ImageRecipe(dockerfile);
        for (String instruction : instructions(dockerfile)) {
            String[] parts = instruction.trim().split("\\s+", 2);
            recipe.apply(parts[0].toUpperCase(), parts.length > 1 ? parts[1].trim() : "");
        }
        return recipe;
    }

    /**
     * The heap limit of the process, in bytes, from the last {@code -Xmx} of the entrypoint's arguments or of the
     * launcher's option variables in {@code environment} (the image's ENV with any overrides).
     */
    Optional<Long> maxHeapBytes(Map<String, String> environment) {
        List<String> arguments = new ArrayList<>(entrypoint);
        launcherVariables().stream().filter(name -> name.startsWith("JAVA_OPTS")).sorted()
                .forEach(name -> arguments.addAll(words(environment.getOrDefault(name, ""))));
        Long heap = null;
        for (String argument : arguments) {
            Matcher matcher = MAX_HEAP.matcher(argument);
            if (matcher.matches()) {
                heap = Long.parseLong(matcher.group(1)) << switch (matcher.group(2).toLowerCase()) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    default -> 0;
                };
            }
        }
        return Optional.ofNullable(heap);
    }

    /** The variables the entrypoint reads beside the application's own: the launcher's, when it is the entrypoint. */
    Set<String> launcherVariables() {
        return base.launcher() != null && entrypoint.contains(base.launcher()) ? base.launcherVariables() : Set.of();
    }

    private void apply(String keyword, String arguments) {
        switch (keyword) {
            case "FROM" -> {
                base = BaseImage.of(words(arguments).stream().filter(w -> !w.startsWith("--")).findFirst().orElseThrow());
                userId = base.user() == null ? null : base.userId(base.user());
                environment.clear();
                folderOwners.clear();
                folderOwners.putAll(base.folders());
                workdir = "/";
            }
            case "USER" -> userId = base.userId(arguments);
            case "ENV" -> env(arguments);
            case "WORKDIR" -> {
                workdir = absolute(arguments);
                // Docker creates a missing WORKDIR as root, whatever USER is in effect.
                create(workdir, "0", true);
            }
            case "COPY", "ADD" -> copy(words(arguments));
            case "RUN" -> {
                for (String command : arguments.split("&&|\\|\\||;|\\|")) {
                    run(words(command));
                }
            }
            case "ENTRYPOINT" -> entrypoint = arguments.startsWith("[") ? jsonArray(arguments) : List.of("sh", "-c", arguments);
            default -> { }
        }
    }

    private void env(String arguments) {
        List<String> words = words(arguments);
        if (!words.isEmpty() && !words.get(0).contains("=")) {
            environment.put(words.get(0), arguments.substring(words.get(0).length()).trim());
            return;
        }
        for (String pair : words) {
            String[] keyValue = pair.split("=", 2);
            environment.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
        }
    }

    private void copy(List<String> words) {
        String owner = "0";
        List<String> operands = new ArrayList<>();
        for (String word : words) {
            if (word.startsWith("--chown=")) {
                owner = base.userId(word.substring("--chown=".length()));
            } else if (!word.startsWith("--")) {
                operands.add(word);
            }
        }
        String destination = operands.get(operands.size() - 1);
        String target = absolute(destination);
        // Sources land in a folder when the destination ends with '/'; new parents are root's whatever --chown says.
        String folder = destination.endsWith("/") || operands.size() > 2 ? target : parent(target);
        create(parent(folder), "0", true);
        if (!folderOwners.containsKey(folder)) {
            folderOwners.put(folder, owner);
        }
    }

    private void run(List<String> command) {
        if (command.isEmpty()) {
            return;
        }
        List<String> operands = command.subList(1, command.size()).stream().filter(w -> !w.startsWith("-")).toList();
        switch (command.get(0)) {
            case "mkdir" -> {
                boolean parents = command.contains("-p") || command.contains("--parents");
                List<String> folders = new ArrayList<>(operands);
                int mode = command.indexOf("-m");
                if (mode > 0) {
                    folders.remove(command.get(mode + 1));
                }
                folders.forEach(folder -> create(absolute(folder), userId, parents));
            }
            case "chown" -> {
                if (!userId.equals("0")) {
                    buildFailures.add("RUN chown as user " + userId + " (only root may give a folder away)");
                }
                String owner = base.userId(operands.get(0));
                boolean recursive = command.contains("-R");
                for (String path : operands.subList(1, operands.size())) {
                    String folder = absolute(path);
                    if (!folderOwners.containsKey(folder)) {
                        buildFailures.add("RUN chown of " + folder + ", which no earlier step creates");
                        continue;
                    }
                    folderOwners.replaceAll((f, o) -> f.equals(folder) || recursive && f.startsWith(folder + "/") ? owner : o);
                }
            }
            default -> { }
        }
    }

    /** Creates {@code folder} as {@code owner}; a RUN mkdir also needs write access to the parent folder. */
    private void create(String folder, String owner, boolean parents) {
        if (folderOwners.containsKey(folder) || folder.equals("/")) {
            return;
        }
        String parent = parent(folder);
        if (!folderOwners.containsKey(parent) && !parent.equals("/")) {
            if (!parents) {
                buildFailures.add("mkdir " + folder + " without -p: " + parent + " does not exist");
            }
            create(parent, owner, true);
        }
        String parentOwner = parent.equals("/") ? "0" : folderOwners.get(parent);
        if (!owner.equals("0") && !owner.equals(parentOwner)) {
            buildFailures.add("mkdir " + folder + " as user " + owner + ": " + parent + " belongs to uid " + parentOwner);
        }
        folderOwners.put(folder, owner);
    }

    private String absolute(String path) {
        String absolute = Path.of(workdir).resolve(path).normalize().toString();
        return absolute.length() > 1 && absolute.endsWith("/") ? absolute.substring(0, absolute.length() - 1) : absolute;
    }

    private static String parent(String folder) {
        Path parent = Path.of(folder).getParent();
        return parent == null ? "/" : parent.toString();
    }

    /** Instructions with line continuations joined and comment lines dropped. */
    private static List<String> instructions(Path dockerfile) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                if (line.trim().startsWith("#") || line.isBlank() && current.isEmpty()) {
                    continue;
                }
                boolean continues = line.endsWith("\\");
                current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
                if (!continues) {
                    instructions.add(current.toString());
                    current.setLength(0);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return instructions;
    }

    /** Shell-like words: whitespace-separated, quotes removed. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static List<String> jsonArray(String text) {
        List<String> values = new ArrayList<>();
        Matcher matcher = JSON_STRING.matcher(text);
        while (matcher.find()) {
            values.add(matcher.group(1));
        }
        return values;
    }
}
