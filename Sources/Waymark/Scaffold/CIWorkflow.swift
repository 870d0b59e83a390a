/// Which CI system `waymark init` writes a pipeline for.
public enum CIProvider: String, Sendable, CaseIterable {
    case github, gitlab, none
}

/// The CI pipelines `waymark init` writes: check with annotations, restore and save the build cache,
/// build, and publish `public/` from the main branch.
enum CIWorkflow {
    /// The pipeline file, at the top of the repository. `site` is the knowledge base's folder in the
    /// repository (`docs/kb`), empty when it is the repository's top.
    /// `branch`: the repository's current branch, when `init` runs in one.
    static func file(for ci: CIProvider, site: String = "", branch: String? = nil) -> (path: String, text: String)? {
        switch ci {
        case .github: return (githubPath, github(site: site, branch: branch))
        case .gitlab: return (gitlabPath, gitlab(site: site))
        case .none: return nil
        }
    }

    static let githubPath = ".github/workflows/waymark.yml"
    static let gitlabPath = ".gitlab-ci.yml"
    /// The GitLab pipeline's name beside a knowledge base whose repository has a .gitlab-ci.yml already.
    static let gitlabIncludedName = "waymark.gitlab-ci.yml"

    /// A YAML plain scalar for `text` when it is one safely, else a double-quoted one.
    private static func yaml(_ text: String) -> String { YAMLText.scalar(text) }

    /// `text` in a single-quoted string of a GitHub expression (`hashFiles('…')`).
    private static func expressionString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// The Waymark release the pipelines build by default: the one that wrote them.
    static var defaultVersionRef: String { "v" + waymarkVersion }

    /// Pushes to `branch` build (to main or master when it is not known); the repository's default
    /// branch publishes, whatever its name.
    static func github(site: String, branch: String? = nil) -> String {
        // In a subfolder: paths given to actions are the repository's, while `run` steps start in the site.
        let p = site.isEmpty ? "" : site + "/"
        let onlySite = site.isEmpty ? "" : """

                # Only commits that change the knowledge base (or this file) build it.
                paths: [\(yaml(p + "**")), \(yaml(githubPath))]
            """
        let workingDirectory = site.isEmpty ? "" : """

                defaults:
                  run:
                    # The knowledge base's folder in this repository: every command below runs there.
                    working-directory: \(yaml(site))
            """
        let folderNote = site.isEmpty ? "# - The site is built into public/ (the `output` default in waymark.yml)."
            : "# - The knowledge base is the folder \(site)/ of this repository, built into \(p)public/ (the\n#   `output` default in its waymark.yml). Check annotations name files from the repository's top."
        return #"""
        # Checks and builds the knowledge base on every push and pull request, and publishes it to
        # GitHub Pages from the repository's default branch. Written by `waymark init`; edit it freely.
        #
        # Assumptions, so you know what to change:
        # - Waymark has no prebuilt download, so the first run builds it from source with the Swift
        #   toolchain that GitHub's Ubuntu runner images ship (Waymark needs Swift 6.1 or later), and
        #   caches the result; later runs with the same WAYMARK_VERSION reuse it.
        # - Set the repository variable WAYMARK_REPO (Settings → Secrets and variables → Actions →
        #   Variables) to the git URL of Waymark's source. WAYMARK_VERSION below is the tag, branch or
        #   commit to build: the tag of the Waymark that wrote this file, so change it if your copy of
        #   the source has no such tag. A branch name is cached like a tag, so prefer a tag or a commit.
        # - Publishing needs Settings → Pages → Source: "GitHub Actions". Pull requests are checked and
        #   built but not published.
        \#(folderNote)
        name: waymark

        on:
          push:
            branches: [\#(branch.map(yaml) ?? "main, master")]\#(onlySite)
          pull_request:\#(onlySite)
          workflow_dispatch:

        permissions:
          contents: read
          # Read by actions/configure-pages (on a private repository it fails without).
          pages: read

        concurrency:
          group: waymark-${{ github.ref }}
          # A newer push to a pull request cancels its older run; a publishing run is never cut short.
          cancel-in-progress: ${{ github.event_name == 'pull_request' }}

        env:
          WAYMARK_REPO: ${{ vars.WAYMARK_REPO }}
          WAYMARK_VERSION: \#(defaultVersionRef)

        jobs:
          build:
            runs-on: ubuntu-24.04\#(workingDirectory)
            steps:
              - name: Check out the knowledge base
                uses: actions/checkout@v4
                with:
                  # The whole history: each page's "Last updated" date comes from git.
                  fetch-depth: 0

              - name: Install libcmark and jemalloc
                run: sudo apt-get update -q && sudo apt-get install -y -q libcmark-dev libjemalloc-dev

              - name: Restore Waymark
                id: tool
                uses: actions/cache@v4
                with:
                  path: ~/.waymark-tool
                  key: waymark-tool-${{ runner.os }}-${{ env.WAYMARK_VERSION }}

              - name: Build Waymark from source
                if: steps.tool.outputs.cache-hit != 'true'
                run: |
                  if [ -z "$WAYMARK_REPO" ]; then
                    echo "::error::Set the repository variable WAYMARK_REPO to the git URL of Waymark's source (see the top of .github/workflows/waymark.yml)."
                    exit 1
                  fi
                  src="$RUNNER_TEMP/waymark-src"
                  git init -q "$src"
                  git -C "$src" fetch -q --depth 1 "$WAYMARK_REPO" "$WAYMARK_VERSION"
                  git -C "$src" checkout -q FETCH_HEAD
                  cd "$src"
                  swift build -c release --product waymark --static-swift-stdlib
                  mkdir -p ~/.waymark-tool/bin ~/.waymark-tool/share/waymark
                  cp "$(swift build -c release --show-bin-path)/waymark" ~/.waymark-tool/bin/
                  # An installed waymark finds its default theme in ../share/waymark/templates.
                  cp -R templates ~/.waymark-tool/share/waymark/templates

              - name: Put Waymark on the PATH
                id: waymark
                run: |
                  echo "$HOME/.waymark-tool/bin" >> "$GITHUB_PATH"
                  echo "version=$("$HOME/.waymark-tool/bin/waymark" --version)" >> "$GITHUB_OUTPUT"

              - name: Restore the build cache
                id: cache
                uses: actions/cache/restore@v4
                with:
                  # The cache holds parsed pages and render fingerprints; the previous public/ lets
                  # pages a commit did not affect be kept instead of rendered again.
                  path: |
                    \#(p).waymark-cache
                    \#(p)public
                  key: waymark-cache-${{ runner.os }}-${{ steps.waymark.outputs.version }}-${{ hashFiles(\#(expressionString(p + "content/**")), \#(expressionString(p + "templates/**")), \#(expressionString(p + "waymark.yml"))) }}
                  restore-keys: |
                    waymark-cache-${{ runner.os }}-${{ steps.waymark.outputs.version }}-

              - name: Check (errors and warnings become annotations on the changed files)
                run: waymark check --format github

              - name: Find the Pages address
                id: pages
                if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
                uses: actions/configure-pages@v5

              - name: Build
                env:
                  BASE_URL: ${{ steps.pages.outputs.base_url }}
                run: |
                  # On the default branch the site is built for its Pages address (which may include a sub-path).
                  if [ -n "$BASE_URL" ]; then
                    waymark build --base-url "$BASE_URL/"
                  else
                    waymark build
                  fi

              - name: Save the build cache
                if: steps.cache.outputs.cache-hit != 'true' && hashFiles(\#(expressionString(p + ".waymark-cache/**"))) != ''
                uses: actions/cache/save@v4
                with:
                  path: |
                    \#(p).waymark-cache
                    \#(p)public
                  key: ${{ steps.cache.outputs.cache-primary-key }}

              - name: Upload the site for Pages
                if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
                uses: actions/upload-pages-artifact@v3
                with:
                  path: \#(yaml(p + "public"))

          deploy:
            needs: build
            if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch
            runs-on: ubuntu-24.04
            permissions:
              pages: write
              id-token: write
            environment:
              name: github-pages
              url: ${{ steps.deployment.outputs.page_url }}
            steps:
              - name: Publish to GitHub Pages
                id: deployment
                uses: actions/deploy-pages@v4

        """#
    }

    static func gitlab(site: String) -> String {
        // In a subfolder: the commands are given the site's folder, and the site is built into public/
        // at the repository's top, where GitLab Pages takes it from.
        let p = site.isEmpty ? "" : site + "/"
        let siteVariable = site.isEmpty ? "" : """

                # The knowledge base's folder in this repository.
                WAYMARK_SITE: \(yaml(site))
            """
        let root = site.isEmpty ? "" : #" --root "$WAYMARK_SITE""#
        let output = site.isEmpty ? "" : #" --output "$CI_PROJECT_DIR/public""#
        let folderNote = site.isEmpty ? "# - The site is built into public/, which is where GitLab Pages expects it."
            : "# - The knowledge base is the folder \(site)/ (WAYMARK_SITE below); it is built into public/ at the\n#   repository's top, which is where GitLab Pages expects it."
        return #"""
        # Checks and builds the knowledge base on every push to a branch (merge requests show that
        # pipeline's result), and publishes it to GitLab Pages from the default branch. Written by `waymark init --ci gitlab`; edit it freely.
        #
        # Assumptions, so you know what to change:
        # - Waymark has no prebuilt download, so the first pipeline builds it from source in the
        #   official Swift image and keeps it in the cache (.waymark-tool/); later pipelines with the
        #   same WAYMARK_VERSION reuse it.
        # - Set the CI/CD variable WAYMARK_REPO (Settings → CI/CD → Variables) to the git URL of
        #   Waymark's source. WAYMARK_VERSION is the tag, branch or commit to build (the tag of the
        #   Waymark that wrote this file; change it if your copy of the source has no such tag).
        # - The build cache (.waymark-cache/) is restored and saved by GitLab's cache, one per branch.
        \#(folderNote)
        # - Everything is in the `.waymark` template the two jobs extend (no global `default:` or
        #   `variables:`), so this file can also be included from another pipeline (`include: local:`);
        #   there, a job of its own named `pages` would clash with the one below.
        .waymark:
          image: swift:6.1
          variables:
            WAYMARK_VERSION: \#(defaultVersionRef)\#(siteVariable)
            # The whole history: each page's "Last updated" date comes from git.
            GIT_DEPTH: 0
          cache:
            - key: waymark-tool-$WAYMARK_VERSION
              paths: [.waymark-tool/]
            - key: waymark-cache-$CI_COMMIT_REF_SLUG
              fallback_keys: [waymark-cache-$CI_DEFAULT_BRANCH]
              paths: [\#(yaml(p + ".waymark-cache/")), public/]
          before_script:
            - apt-get update -qq && apt-get install -y -qq libcmark-dev libjemalloc-dev git >/dev/null
            - |
              if [ ! -x .waymark-tool/bin/waymark ]; then
                if [ -z "$WAYMARK_REPO" ]; then
                  echo "Set the CI/CD variable WAYMARK_REPO to the git URL of Waymark's source (see the top of Waymark's pipeline file)."
                  exit 1
                fi
                tool="$PWD/.waymark-tool"
                git init -q /tmp/waymark-src
                git -C /tmp/waymark-src fetch -q --depth 1 "$WAYMARK_REPO" "$WAYMARK_VERSION"
                git -C /tmp/waymark-src checkout -q FETCH_HEAD
                (cd /tmp/waymark-src && swift build -c release --product waymark --static-swift-stdlib \
                  && mkdir -p "$tool/bin" "$tool/share/waymark" \
                  && cp "$(swift build -c release --show-bin-path)/waymark" "$tool/bin/" \
                  && cp -R templates "$tool/share/waymark/templates")
              fi
            - export PATH="$PWD/.waymark-tool/bin:$PATH"
            - waymark --version

        build:
          extends: .waymark
          rules:
            - if: $CI_COMMIT_BRANCH && $CI_COMMIT_BRANCH != $CI_DEFAULT_BRANCH
          script:
            - waymark check\#(root)
            - waymark build\#(root)\#(output)
          artifacts:
            paths: [public]
            expire_in: 1 week

        pages:
          extends: .waymark
          rules:
            - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
          script:
            - waymark check\#(root)
            - waymark build\#(root)\#(output) --base-url "$CI_PAGES_URL/"
          artifacts:
            paths: [public]

        """#
    }
}
