(call
  function: (attribute
    object: (_) @db
    attribute: (identifier) @method)
  arguments: (argument_list) @args
  (#any-of? @method "get_or_404" "first_or_404" "one_or_404" "paginate")) @finding
