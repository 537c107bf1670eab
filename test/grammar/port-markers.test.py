# SYNTAX TEST "source.python" "port markers: # TODO(port): ... [rule-id] and # port: ignore[rule-id]"

# A fix left this for a person: TODO(port) is a keyword, the rule id a tag.
x = 1  # TODO(port): move this to settings.py [flask-app-config]
#      ^ comment.line.number-sign.python punctuation.definition.comment.python
#        ^^^^^^^^^^ comment.line.number-sign.python keyword.other.todo.port.framework-porter
#                  ^ punctuation.separator.port.framework-porter
#                   ^^^^^^^^^^^^^^^^^^^^^^^^^^ markup.italic.port-todo.framework-porter
#                                             ^ punctuation.definition.rule.begin.framework-porter
#                                              ^^^^^^^^^^^^^^^^ comment.line.number-sign.python entity.name.tag.rule-id.framework-porter
#                                                              ^ punctuation.definition.rule.end.framework-porter

# On a line of its own, without a rule id.
    # TODO(port): decide where the session lifetime goes
#     ^^^^^^^^^^ keyword.other.todo.port.framework-porter
#                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ markup.italic.port-todo.framework-porter - entity.name.tag.rule-id.framework-porter

# The ignore directive with its rule id.
@app.route('/')  # port: ignore[flask-route]
#                  ^^^^ comment.line.number-sign.python keyword.control.directive.port.framework-porter
#                      ^ punctuation.separator.port.framework-porter
#                        ^^^^^^ keyword.control.directive.ignore.framework-porter
#                              ^ punctuation.definition.rule.begin.framework-porter
#                               ^^^^^^^^^^^ comment.line.number-sign.python entity.name.tag.rule-id.framework-porter
#                                          ^ punctuation.definition.rule.end.framework-porter
#^^^ meta.function.decorator.python - comment.line.number-sign.python keyword.control.directive.port.framework-porter

# Bare ignore, no rule id.
value = request.args  # port: ignore
#                       ^^^^ keyword.control.directive.port.framework-porter
#                             ^^^^^^ keyword.control.directive.ignore.framework-porter

# A plain TODO gets none of the port scopes.
y = 2  # TODO: x
#        ^^^^ comment.line.number-sign.python - keyword.other.todo.port.framework-porter keyword.control.directive.port.framework-porter
#             ^^ comment.line.number-sign.python - markup.italic.port-todo.framework-porter punctuation.separator.port.framework-porter

# Nor does a string that looks like a marker.
msg = "TODO(port): in a string [flask-route]"
#      ^^^^^^^^^^ string.quoted.single.python - comment.line.number-sign.python keyword.other.todo.port.framework-porter
#                               ^^^^^^^^^^^ string.quoted.single.python - entity.name.tag.rule-id.framework-porter
note = 'port: ignore[flask-route]'
#       ^^^^ string.quoted.single.python - keyword.control.directive.port.framework-porter
#                    ^^^^^^^^^^^ string.quoted.single.python - entity.name.tag.rule-id.framework-porter

# A docstring is a string too.
"""TODO(port): not in a docstring either"""
#  ^^^^^^^^^^ string.quoted.docstring.multi.python - keyword.other.todo.port.framework-porter
