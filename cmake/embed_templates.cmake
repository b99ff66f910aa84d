# Writes OUT: a C++ file defining picket::builtin_templates() from every file in DIR
# (name = path relative to DIR, without a trailing ".mustache").
file(GLOB_RECURSE files RELATIVE ${DIR} ${DIR}/*)
list(SORT files)
set(body "")
foreach(f ${files})
  file(READ ${DIR}/${f} content)
  string(REGEX REPLACE "\\.mustache$" "" name "${f}")
  string(APPEND body "    {\"${name}\", R\"picket_tpl(${content})picket_tpl\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from templates/ by cmake/embed_templates.cmake. Do not edit.\n#include \"render/templates.hpp\"\n\nnamespace picket {\n\nconst TemplateSet& builtin_templates() {\n  static const TemplateSet k_templates{\n${body}  };\n  return k_templates;\n}\n\n}  // namespace picket\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
