// The zsh and fish completion scripts, from the same flattened tables as bash's.
#include "cli/completion_data.hpp"
#include "cli/docgen.hpp"

namespace modkit::cli {

namespace {

// `s` inside single quotes, for either shell.
std::string sq(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string ident(std::string_view key) {
    std::string out;
    for (char c : key)
        out += (c == ' ' || c == '-') ? '_' : c;
    return out;
}

// An _arguments description: brackets and colons escaped.
std::string zsh_help(std::string_view h) {
    std::string out;
    for (char c : h) {
        if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

constexpr std::string_view k_zsh_functions = R"ZSH(
# The root and kernel already on the command line, so completions follow what the tool reads.
_modkit_context() {
    local i w
    _modkit_root= _modkit_kver=
    for ((i = 2; i < CURRENT; i++)); do
        w=$words[i]
        case $w in
        -b | -d | --basedir | --dirname | --root) _modkit_root=$words[i+1] ;;
        --basedir=* | --dirname=* | --root=*) _modkit_root=${w#*=} ;;
        -S | -k | --set-version | --kernel | --kernelver) _modkit_kver=$words[i+1] ;;
        --set-version=* | --kernel=* | --kernelver=*) _modkit_kver=${w#*=} ;;
        esac
    done
    _modkit_root=${_modkit_root%/}
    [[ -n $_modkit_kver ]] || _modkit_kver=$(uname -r)
}

_modkit_kind() {
    local kind=$1 dir
    case $kind in
    file) _files ;;
    directory) _files -/ ;;
    kernel)
        _modkit_context
        compadd -- ${(f)"$(command ls $_modkit_root/lib/modules 2>/dev/null)"}
        ;;
    module)
        if (( ${words[(I)-r|--remove]} )); then _modkit_kind loaded; return; fi
        _modkit_context
        dir=$_modkit_root/lib/modules/$_modkit_kver
        compadd -- ${(f)"$(sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' $dir/modules.dep $dir/modules.builtin 2>/dev/null)"}
        ;;
    loaded) compadd -- ${(f)"$(cut -d' ' -f1 /proc/modules 2>/dev/null)"} ;;
    modfile) _files -g '*.ko(|.gz|.xz|.zst)(-.)' ;;
    module-or-file)
        if [[ $PREFIX == */* || $PREFIX == .* ]]; then _modkit_kind modfile; else _modkit_kind module; fi
        ;;
    dkms)
        local tree=/var/lib/dkms m
        local -a pairs
        for m in $tree/*/*/source(N); do pairs+=(${${m%/source}#$tree/}); done
        compadd -- $pairs
        ;;
    arch) compadd -- $(uname -m) ;;
    esac
}
)ZSH";

std::string zsh_spec(const OptionSpec& o, const std::string& word) {
    const bool takes = o.value != ValueKind::None;
    std::string s = word;
    if (takes) s += word.starts_with("--") ? "=" : "+";
    s += "[" + zsh_help(o.help) + "]";
    if (takes) {
        std::string_view k = kind_word(o.value);
        s += ":" + std::string(k) + ":";
        if (o.value != ValueKind::Number && o.value != ValueKind::Word)
            s += "_modkit_kind " + std::string(k);
        else
            s += " ";
    }
    return sq(s);
}

std::string zsh_entry(const CompletionEntry& e) {
    std::string out = "_modkit_" + ident(e.key) + "() {\n    _arguments -s -S";
    for (const OptionSpec* o : e.options) {
        if (!o->long_name.empty())
            out += " \\\n        " + zsh_spec(*o, "--" + std::string(o->long_name));
        if (o->short_name != 0)
            out += " \\\n        " + zsh_spec(*o, std::string("-") + o->short_name);
    }
    if (!e.subcommands.empty()) {
        // (( name\:"desc" ... )): a described list of the subcommands.
        out += " \\\n        '1:command:((";
        for (const Subcommand& s : e.subcommands) {
            std::string desc;
            for (char c : s.help)
                desc += (c == '\'' ? std::string("'\\''")
                                   : (c == '"' ? std::string("\\\"") : std::string(1, c)));
            out += std::string(s.name) + "\\:\"" + desc + "\" ";
        }
        out += "))' \\\n        '*::argument:_modkit_" + ident(e.tool) + "_sub'";
    } else if (e.operands != ValueKind::None) {
        out += " \\\n        '*:" + std::string(kind_word(e.operands)) + ":_modkit_kind " +
               std::string(kind_word(e.operands)) + "'";
    }
    out += "\n}\n";
    if (!e.subcommands.empty()) {
        out += "_modkit_" + ident(e.tool) + "_sub() {\n    case $words[1] in\n";
        for (const Subcommand& s : e.subcommands)
            out += "    " + std::string(s.name) + ") _modkit_" +
                   ident(e.key + " " + std::string(s.name)) + " ;;\n";
        out += "    esac\n}\n";
    }
    return out;
}

// fish: a value source for a kind, as the arguments of `complete`.
std::string fish_value(ValueKind k) {
    switch (k) {
    case ValueKind::File:
    case ValueKind::ModuleFile:
        return " -r -F";
    case ValueKind::Directory:
        return " -x -a '(__fish_complete_directories)'";
    case ValueKind::Number:
    case ValueKind::Word:
        return " -x";
    default:
        return " -x -a '(__modkit_values " + std::string(kind_word(k)) + ")'";
    }
}

constexpr std::string_view k_fish_functions = R"FISH(
# The command line's words with the tool first (`modkit` dropped).
function __modkit_words
    set -l w (commandline -opc)
    set w[1] (string replace -r '.*/' '' -- $w[1])
    if test "$w[1]" = modkit
        set -e w[1]
    end
    printf '%s\n' $w
end

function __modkit_needs_tool
    test (count (commandline -opc)) -eq 1; and test (string replace -r '.*/' '' -- (commandline -opc)[1]) = modkit
end

function __modkit_is -a tool
    set -l w (__modkit_words)
    test (count $w) -ge 1; and test "$w[1]" = "$tool"
end

# The tool is TOOL and none of the subcommands after it has been typed yet.
function __modkit_nosub -a tool
    set -l w (__modkit_words)
    test (count $w) -ge 1; and test "$w[1]" = "$tool"; or return 1
    for x in $w[2..-1]
        contains -- $x $argv[2..-1]; and return 1
    end
    return 0
end

function __modkit_sub -a tool sub
    set -l w (__modkit_words)
    test (count $w) -ge 1; and test "$w[1]" = "$tool"; and contains -- $sub $w[2..-1]
end

function __modkit_values -a kind
    set -l w (__modkit_words)
    set -l root ''
    set -l kver (uname -r)
    set -l remove 0
    for i in (seq (count $w))
        set -l n (math $i + 1)
        switch $w[$i]
            case -b -d --basedir --dirname --root
                set root $w[$n]
            case '--basedir=*' '--dirname=*' '--root=*'
                set root (string replace -r '^[^=]*=' '' -- $w[$i])
            case -S -k --set-version --kernel --kernelver
                set kver $w[$n]
            case '--set-version=*' '--kernel=*' '--kernelver=*'
                set kver (string replace -r '^[^=]*=' '' -- $w[$i])
            case -r --remove
                set remove 1
        end
    end
    set root (string replace -r '/$' '' -- $root)
    switch $kind
        case kernel
            command ls $root/lib/modules 2>/dev/null
        case module module-or-file
            if test $remove = 1
                string split -f1 ' ' </proc/modules 2>/dev/null
                return
            end
            set -l dir $root/lib/modules/$kver
            sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' $dir/modules.dep $dir/modules.builtin 2>/dev/null
            if test $kind = module-or-file
                __fish_complete_suffix .ko .ko.xz .ko.zst .ko.gz
            end
        case loaded
            string split -f1 ' ' </proc/modules 2>/dev/null
        case dkms
            for m in /var/lib/dkms/*/*/source
                string replace -r '^/var/lib/dkms/(.*)/source$' '$1' -- $m
            end
        case arch
            uname -m
    end
end
)FISH";

std::string fish_entry(std::string_view command, const CompletionEntry& e) {
    std::string cond = e.sub.empty() ? "__modkit_is " + e.tool
                                     : "__modkit_sub " + e.tool + " " + std::string(e.sub);
    std::string head = "complete -c " + std::string(command) + " -n " + sq(cond);
    std::string out;
    for (const OptionSpec* o : e.options) {
        out += head;
        if (o->short_name != 0) out += std::string(" -s ") + o->short_name;
        if (!o->long_name.empty()) out += " -l " + std::string(o->long_name);
        if (o->value != ValueKind::None) out += fish_value(o->value);
        out += " -d " + sq(o->help) + "\n";
    }
    if (!e.subcommands.empty()) {
        std::string subs;
        for (const Subcommand& s : e.subcommands)
            subs += " " + std::string(s.name);
        for (const Subcommand& s : e.subcommands)
            out += "complete -c " + std::string(command) + " -n " +
                   sq("__modkit_nosub " + e.tool + subs) + " -f -a " + std::string(s.name) +
                   " -d " + sq(s.help) + "\n";
    } else if (e.operands == ValueKind::File || e.operands == ValueKind::ModuleFile) {
        out += head + " -F\n";
    } else if (e.operands != ValueKind::None) {
        out += head + " -f -a '(__modkit_values " + std::string(kind_word(e.operands)) + ")'\n";
    } else {
        out += head + " -f\n";
    }
    return out;
}

} // namespace

std::string zsh_completion() {
    std::string out = "#compdef modkit";
    for (const ToolOptions& t : all_tool_options())
        if (is_link_name(t.tool)) out += " " + std::string(t.tool);
    out += "\n# zsh completion for modkit and the tools it provides.\n"
           "# Generated by modkit-docgen from modkit's option tables: do not edit.\n";
    out += k_zsh_functions;
    for (const CompletionEntry& e : completion_entries())
        out += "\n" + zsh_entry(e);
    out += "\n_modkit() {\n    local tool=${words[1]:t}\n    if [[ $tool == modkit ]]; then\n"
           "        if (( CURRENT == 2 )); then\n            local -a tools=(\n";
    for (const ToolOptions& t : all_tool_options())
        out += "                " + std::string(t.tool) + "\n";
    out += "            )\n            compadd -- $tools\n            return\n        fi\n"
           "        shift words\n        (( CURRENT-- ))\n        tool=$words[1]\n    fi\n"
           "    case $tool in\n";
    for (const ToolOptions& t : all_tool_options())
        out += "    " + std::string(t.tool) + ") _modkit_" + ident(t.tool) + " ;;\n";
    out += "    esac\n}\n\n_modkit \"$@\"\n";
    return out;
}

std::string fish_completion(std::string_view command) {
    std::string out = "# fish completion for " + std::string(command) +
                      " (modkit).\n# Generated by modkit-docgen from modkit's option tables: "
                      "do not edit.\n";
    out += k_fish_functions;
    out += "\ncomplete -c " + std::string(command) + " -e\n";
    if (command == "modkit") {
        for (const ToolOptions& t : all_tool_options())
            out += "complete -c modkit -n __modkit_needs_tool -f -a " + std::string(t.tool) + "\n";
    }
    for (const CompletionEntry& e : completion_entries())
        if (command == "modkit" || command == e.tool) out += fish_entry(command, e);
    return out;
}

} // namespace modkit::cli
