"""Rules across groups and files, restrictions semantics, and the opt-in estate checks.

Single-file rules are covered by the malformed corpus (test_groups_corpus.py);
here are the rules that need several files, boundaries, and the cases where a
rule must stay silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.core.problems import Problems
from infra.groups.loader import load_groups
from infra.groups.provider import group_inputs
from tests.groups.tree import ALLOW_ALL, UPSTREAM_ESTATE, lines, load, write_tree


def group(email: str, *, name: str | None = None, extra: str = "") -> str:
    local = email.split("@", maxsplit=1)[0]
    return f"  - email-id: {email}\n    name: {name if name is not None else local}\n{extra}"


def groups_file(*groups: str) -> str:
    return "groups:\n" + "".join(groups)


def test_duplicate_groups_across_files_are_found_case_insensitively(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "sig-a/groups.yaml": groups_file(group("sig-shared@kubernetes.io")),
            "sig-b/groups.yaml": groups_file(group("sig-other@kubernetes.io"))
            + group("sig-shared@kubernetes.io"),
        },
    )
    tree, found = load(tmp_path)
    assert found == [
        "groups/sig-b/groups.yaml:4:15: error: group `sig-shared@kubernetes.io` is already "
        "declared at groups/sig-a/groups.yaml:2 "
        "(hint: keep one declaration: each group has one owning file)"
    ]
    assert tree is not None
    assert [g.file for g in tree.groups] == ["groups/sig-a/groups.yaml", "groups/sig-b/groups.yaml"]


def test_a_name_is_used_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "sig-a/groups.yaml": groups_file(group("sig-a@kubernetes.io")),
            "sig-b/groups.yaml": groups_file(group("sig-b@kubernetes.io", name="sig-a")),
        },
    )
    assert lines(tmp_path) == [
        "groups/sig-b/groups.yaml:3:11: error: name `sig-a` does not match email-id "
        "`sig-b@kubernetes.io` (hint: write `name: sig-b`: a group's name is its address's "
        "local part)",
        "groups/sig-b/groups.yaml:3:11: error: name `sig-a` is already used by "
        "`sig-a@kubernetes.io` at groups/sig-a/groups.yaml:2 "
        "(hint: a group's name is its address's local part, unique in the domain)",
    ]


def test_the_etcd_security_list_is_the_one_exception_to_the_name_rule(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"sig-etcd/groups.yaml": groups_file(group("security@etcd.io", name="etcd-security"))},
    )
    assert lines(tmp_path) == []
    write_tree(
        tmp_path, {"sig-etcd/groups.yaml": groups_file(group("security@etcd.io", name="security"))}
    )
    assert lines(tmp_path) == [
        "groups/sig-etcd/groups.yaml:3:11: error: name `security` does not match email-id "
        "`security@etcd.io` (hint: write `name: etcd-security`: a group's name is its "
        "address's local part)"
    ]


def test_the_domain_is_a_parameter(tmp_path: Path) -> None:
    settings = '    settings:\n      ReconcileMembers: "true"\n'
    staging = f"k8s-infra-staging-{'x' * 19}@knative.dev"
    write_tree(
        tmp_path,
        {"wg/groups.yaml": groups_file(group("wg-x@knative.dev"), group(staging, extra=settings))},
    )
    assert lines(tmp_path, domain="knative.dev") == [
        f"groups/wg/groups.yaml:4:15: error: staging group suffix `{'x' * 19}` has 19 "
        "characters; at most 18 are allowed (hint: the suffix also names the project "
        "`k8s-staging-<suffix>`, whose id has at most 30 characters: shorten it)"
    ]
    assert lines(tmp_path) == [
        "groups/wg/groups.yaml:2:15: error: group `wg-x@knative.dev` is outside the "
        "`kubernetes.io` domain (hint: groups are created in the kubernetes.io Workspace: "
        "write `wg-x@kubernetes.io`)",
        f"groups/wg/groups.yaml:4:15: error: group `{staging}` is outside the `kubernetes.io` "
        f"domain (hint: groups are created in the kubernetes.io Workspace: write "
        f"`k8s-infra-staging-{'x' * 19}@kubernetes.io`)",
    ]


@pytest.mark.parametrize(("length", "problems"), [(18, 0), (19, 1)])
def test_staging_suffix_boundary(tmp_path: Path, length: int, problems: int) -> None:
    suffix = "x" * length
    settings = '    settings:\n      ReconcileMembers: "true"\n'
    write_tree(
        tmp_path,
        {
            "s/groups.yaml": groups_file(
                group(f"k8s-infra-staging-{suffix}@kubernetes.io", extra=settings)
            )
        },
    )
    assert len(lines(tmp_path)) == problems


@pytest.mark.parametrize(("length", "problems"), [(300, 0), (301, 1)])
def test_description_boundary_counts_characters_not_bytes(
    tmp_path: Path, length: int, problems: int
) -> None:
    description = "é" * length
    extra = f"    description: {description}\n"
    write_tree(tmp_path, {"s/groups.yaml": groups_file(group("sig-x@kubernetes.io", extra=extra))})
    assert len(lines(tmp_path)) == problems


def test_conventions_of_k8s_infra_groups_do_not_apply_to_others(tmp_path: Path) -> None:
    extra = (
        '    settings:\n      ReconcileMembers: "false"\n    owners:\n      - lead@example.com\n'
    )
    write_tree(
        tmp_path, {"s/groups.yaml": groups_file(group("sig-x-leads@kubernetes.io", extra=extra))}
    )
    assert lines(tmp_path) == []


def test_gke_security_groups_rules_apply_only_when_it_is_declared(tmp_path: Path) -> None:
    settings = (
        '    settings:\n      ReconcileMembers: "true"\n'
        '      WhoCanViewMembership: "ALL_MEMBERS_CAN_VIEW"\n'
    )
    rbac = group("k8s-infra-rbac-x@kubernetes.io", extra=settings)
    write_tree(tmp_path, {"s/groups.yaml": groups_file(rbac)})
    assert lines(tmp_path) == []
    parent = group(
        "gke-security-groups@kubernetes.io",
        extra=settings + "    members:\n      - K8S-infra-rbac-x@kubernetes.io\n",
    )
    write_tree(tmp_path, {"s/groups.yaml": groups_file(rbac, parent)})
    # a member in another case is the same group: only the case is reported, as a warning
    assert lines(tmp_path) == [
        "groups/s/groups.yaml:13:9: warning: member `K8S-infra-rbac-x@kubernetes.io` has "
        "uppercase letters; it is planned as `k8s-infra-rbac-x@kubernetes.io` (hint: write "
        "`k8s-infra-rbac-x@kubernetes.io`: Google compares addresses case-insensitively and "
        "stores them in lowercase)"
    ]


# Restrictions: upstream's semantics, kept exactly.

TWO_GROUPS = groups_file(group("sig-a@kubernetes.io"), group("sig-a-leads@kubernetes.io"))


def restrictions(*rules: tuple[str, list[str] | None]) -> str:
    text = "restrictions:\n"
    for path, allowed in rules:
        text += f'  - path: "{path}"\n'
        if allowed is not None:
            text += "    allowedGroups:\n" + "".join(f"      - '{a}'\n" for a in allowed)
    return text


def test_the_first_matching_rule_wins(tmp_path: Path) -> None:
    rules = restrictions(
        ("sig-*/groups.yaml", ["^sig-a@kubernetes\\.io$"]),
        ("sig-a/groups.yaml", ["^sig-a-leads@kubernetes\\.io$", "^sig-a@kubernetes\\.io$"]),
        ("**/*", None),
    )
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    assert lines(tmp_path) == [
        "groups/sig-a/groups.yaml:4:15: error: group `sig-a-leads@kubernetes.io` is not allowed "
        "in this file: rule `sig-*/groups.yaml` (groups/restrictions.yaml:2) does not list it "
        "(hint: add '^sig-a-leads@kubernetes\\.io$' to that rule's allowedGroups)"
    ]


def test_regexes_are_searched_anywhere_in_the_address(tmp_path: Path) -> None:
    rules = restrictions(("sig-a/groups.yaml", ["sig-a"]), ("**/*", None))
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    assert lines(tmp_path) == []
    rules = restrictions(("sig-a/groups.yaml", ["leads@"]), ("**/*", None))
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    (found,) = lines(tmp_path)
    assert found.startswith("groups/sig-a/groups.yaml:2:15: error: group `sig-a@kubernetes.io`")


def test_a_file_no_rule_matches_may_declare_anything_with_a_warning(tmp_path: Path) -> None:
    rules = restrictions(("sig-b/groups.yaml", ["^nothing$"]))
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    assert lines(tmp_path) == [
        "groups/sig-a/groups.yaml:1:1: warning: no rule of groups/restrictions.yaml matches this "
        "file, so it may declare any group "
        '(hint: end the rules with `- path: "**/*"` and no allowedGroups)'
    ]


def test_a_rule_without_allowed_groups_allows_none(tmp_path: Path) -> None:
    rules = restrictions(("sig-a/groups.yaml", None), ("**/*", [".*"]))
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    assert [line.split(" (hint")[0] for line in lines(tmp_path)] == [
        "groups/sig-a/groups.yaml:2:15: error: group `sig-a@kubernetes.io` is not allowed in "
        "this file: rule `sig-a/groups.yaml` (groups/restrictions.yaml:2) allows no groups",
        "groups/sig-a/groups.yaml:4:15: error: group `sig-a-leads@kubernetes.io` is not allowed "
        "in this file: rule `sig-a/groups.yaml` (groups/restrictions.yaml:2) allows no groups",
    ]


def test_the_catch_all_matches_the_root_file_and_nested_files(tmp_path: Path) -> None:
    rules = restrictions(("sig-a/groups.yaml", [".*"]), ("**/*", None))
    nested = groups_file(group("wg-x@kubernetes.io"))
    root = groups_file(group("leads@kubernetes.io"))
    write_tree(tmp_path, {"groups.yaml": root, "wg/x/groups.yaml": nested}, rules)
    found = lines(tmp_path)
    assert [line.split(":")[0] for line in found] == [
        "groups/groups.yaml",
        "groups/wg/x/groups.yaml",
    ]
    assert all("rule `**/*` (groups/restrictions.yaml:5) allows no groups" in f for f in found)


def test_the_hint_names_the_file_that_allows_the_group(tmp_path: Path) -> None:
    rules = restrictions(
        ("sig-a/groups.yaml", ["^sig-a@kubernetes\\.io$"]),
        ("sig-b/groups.yaml", ["^sig-a-leads@kubernetes\\.io$"]),
        ("**/*", None),
    )
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    (found,) = lines(tmp_path)
    assert found.endswith(
        "(hint: move the group to `groups/sig-b/groups.yaml`, which allows it, or add "
        "'^sig-a-leads@kubernetes\\.io$' to that rule's allowedGroups)"
    )


def test_a_second_rule_for_the_same_path_is_reported(tmp_path: Path) -> None:
    rules = restrictions(("sig-a/groups.yaml", [".*"]), ("sig-a/groups.yaml", ["x"]))
    write_tree(tmp_path, {"sig-a/groups.yaml": TWO_GROUPS}, rules)
    assert lines(tmp_path) == [
        "groups/restrictions.yaml:5:11: warning: a rule for `sig-a/groups.yaml` is already on "
        "line 2; this one never applies (the first match wins) "
        "(hint: merge the two rules' allowedGroups)"
    ]


# Files and folders.


def test_only_files_named_groups_yaml_are_read_and_near_misses_are_reported(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "groups.yaml": groups_file(group("leads@kubernetes.io")),
            "sig-a/groups.yml": groups_file(group("sig-a@kubernetes.io")),
            "sig-a/OWNERS": "approvers: [someone]\n",
            "sig-b/notes.yaml": "groups: 3\n",
        },
    )
    tree, found = load(tmp_path)
    assert tree is not None
    assert [g.email for g in tree.groups] == ["leads@kubernetes.io"]
    assert found == [
        "groups/sig-a/groups.yml:1:1: warning: file is not read: only files named exactly "
        "`groups.yaml` are (hint: rename it to `groups.yaml`)",
        "groups/sig-b/notes.yaml:1:1: warning: file is not read: under groups/ only "
        "`groups.yaml` files and `restrictions.yaml` (at the top) are (hint: move it out of "
        "groups/, or rename it to `groups.yaml` if it declares groups)",
    ]


def test_missing_restrictions_file_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"s/groups.yaml": groups_file(group("sig-x@kubernetes.io"))}, None)
    tree, found = load(tmp_path)
    assert tree is not None
    assert found == [
        "groups/restrictions.yaml:1:1: error: restrictions file not found "
        "(hint: create it: without it any groups file could claim any address)"
    ]


def test_missing_groups_folder(tmp_path: Path) -> None:
    problems = Problems()
    assert load_groups(tmp_path, problems, "elsewhere") is None
    assert [p.format() for p in problems] == [
        "elsewhere:1:1: error: groups folder not found (hint: create `elsewhere/` with "
        "groups.yaml files and restrictions.yaml, or set "
        '`k8s-infra:groups: {"root": "<folder>"}` in the groups stack)'
    ]


def test_an_empty_groups_list_is_fine(tmp_path: Path) -> None:
    write_tree(tmp_path, {"s/groups.yaml": "# nothing yet\ngroups:\n"})
    tree, found = load(tmp_path)
    assert found == []
    assert tree is not None
    assert tree.groups == ()


# Estate checks: they pass on a tree that has what they expect.

SECURITY_OWNERS = "    owners:\n      - one@example.com\n      - two@example.com\n"


def estate_tree(root: Path, *, copy_owners: str = SECURITY_OWNERS, leads: str = "") -> Path:
    infra = '    settings:\n      ReconcileMembers: "true"\n'
    files = {
        "groups.yaml": groups_file(group("leads@kubernetes.io", extra=leads)),
        "sig-contributor-experience/groups.yaml": groups_file(group("community@kubernetes.io")),
        "committee-security-response/groups.yaml": groups_file(
            group("security@kubernetes.io", extra=SECURITY_OWNERS),
            group("distributors-announce@kubernetes.io", extra=copy_owners),
            group("security-discuss-private@kubernetes.io", extra=SECURITY_OWNERS),
        ),
        "sig-k8s-infra/groups.yaml": groups_file(
            group("sig-k8s-infra-leads@kubernetes.io"),
            group(
                "k8s-infra-gcp-org-admins@kubernetes.io",
                extra=infra + "    members:\n      - sig-k8s-infra-leads@kubernetes.io\n"
                "      - person-036@example.com\n",
            ),
            group(
                "k8s-infra-group-admins@kubernetes.io",
                extra=infra + "    members:\n      - person-010@example.com\n"
                "      - sig-k8s-infra-leads@kubernetes.io\n      - person-011@example.com\n",
            ),
        ),
    }
    return write_tree(root, files)


WEB_POSTING = '    settings:\n      AllowWebPosting: "true"\n'


def test_estate_checks_pass_on_a_tree_that_has_what_they_expect(tmp_path: Path) -> None:
    assert lines(estate_tree(tmp_path, leads=WEB_POSTING), estate=UPSTREAM_ESTATE) == []


def test_estate_checks_compare_owner_lists_in_order(tmp_path: Path) -> None:
    swapped = "    owners:\n      - two@example.com\n      - one@example.com\n"
    found = lines(
        estate_tree(tmp_path, copy_owners=swapped, leads=WEB_POSTING), estate=UPSTREAM_ESTATE
    )
    assert found == [
        "groups/committee-security-response/groups.yaml:9:5: error: owners of "
        "`distributors-announce@kubernetes.io` must be those of `security@kubernetes.io` "
        "(groups/committee-security-response/groups.yaml:2), in the same order "
        "(hint: copy the owners list of `security@kubernetes.io`)"
    ]


def test_estate_checks_require_web_posting_on_leads(tmp_path: Path) -> None:
    found = lines(estate_tree(tmp_path), estate=UPSTREAM_ESTATE)
    assert found == [
        "groups/groups.yaml:2:5: error: `leads@kubernetes.io` must set "
        '`AllowWebPosting: "true"` (hint: the estate relies on this setting)'
    ]
    assert lines(estate_tree(tmp_path)) == []


def test_allow_all_helper_allows_all(tmp_path: Path) -> None:
    """The helper other tests rely on: no restriction problem for any file."""
    write_tree(tmp_path, {"a/b/c/groups.yaml": groups_file(group("x@kubernetes.io"))}, ALLOW_ALL)
    assert lines(tmp_path) == []


def test_a_member_repeated_in_another_case_in_one_role_is_one_member(tmp_path: Path) -> None:
    """Google holds one member: a warning, and the plan lists it once, in lowercase."""
    extra = "    members:\n      - jane@example.com\n      - Jane@Example.com\n"
    write_tree(tmp_path, {"s/groups.yaml": groups_file(group("sig-a@kubernetes.io", extra=extra))})
    found = lines(tmp_path)
    assert [line.split(": ", 2)[1] for line in found] == ["warning", "warning"]
    assert found[0].startswith(
        "groups/s/groups.yaml:6:9: warning: `Jane@Example.com` is already a member of this group "
        "(as `jane@example.com`), on line 5; it is one member, planned once"
    )
    assert "has uppercase letters" in found[1]
    tree, _ = load(tmp_path)
    assert tree is not None
    (declared,) = tree.groups
    assert group_inputs(declared, {})["members"] == ["jane@example.com"]


@pytest.mark.parametrize(
    "name",
    ["gr\u043eups.yaml",  # a Cyrillic o
     "gro\u057eps.yaml".replace("\u057e", "\u057d"),  # an Armenian seh for the u
     "\u0261roups.yaml",  # a Latin script g
     "GROUPS.yaml", "gr0ups.yaml", "groups\u2024yaml",
     "\uff47\uff52\uff4f\uff55\uff50\uff53.yaml"],  # full-width letters
)  # fmt: skip
def test_a_name_that_looks_like_groups_yaml_is_a_warning_with_its_path(
    tmp_path: Path, name: str
) -> None:
    write_tree(
        tmp_path,
        {
            "groups.yaml": groups_file(group("leads@kubernetes.io")),
            f"sig-a/{name}": groups_file(group("sig-a@kubernetes.io")),
        },
    )
    tree, found = load(tmp_path)
    assert tree is not None
    assert [g.email for g in tree.groups] == ["leads@kubernetes.io"]
    assert len(found) == 1, found
    assert found[0].startswith(f"groups/sig-a/{name}:1:1: warning: file is not read: only files "
                               "named exactly `groups.yaml` are")  # fmt: skip
    if not name.isascii():
        assert " U+" in found[0]  # the odd letters are named


def test_any_other_yaml_file_in_the_tree_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "groups.yaml": groups_file(group("leads@kubernetes.io")),
            "sig-a/members.yaml": "groups: []\n",
            "sig-a/deep/notes.YML": "a: 1\n",
            "sig-b/restrictions.yaml": "restrictions: []\n",  # only the top one is read
            "sig-b/README.md": "not yaml\n",
        },
    )
    tree, found = load(tmp_path)
    assert tree is not None
    assert [line.split(": warning: ")[0] for line in found] == [
        "groups/sig-a/deep/notes.YML:1:1",
        "groups/sig-a/members.yaml:1:1",
        "groups/sig-b/restrictions.yaml:1:1",
    ]
    assert all("file is not read: under groups/ only" in line for line in found)
