#pragma once
// `--templates DIR` of render, plan and deploy: the built-in templates, with any of them
// replaced by an operator's file of the same name. Plan and deploy must render with the same
// templates as render did, or they would see every customised file as changed.

#include <string>

#include <tl/expected.hpp>

#include "render/templates.hpp"

namespace picket::cli {

/// The built-in templates when `dir` is empty; else those with each file under `dir`
/// replacing the built-in of the same name (path below `dir` without ".mustache"). A file
/// that replaces nothing, or an unreadable one, is an error naming it.
tl::expected<TemplateSet, std::string> load_template_dir(const std::string& dir);

}  // namespace picket::cli
