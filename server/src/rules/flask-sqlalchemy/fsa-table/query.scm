(module
  (expression_statement
    (assignment
      left: (identifier) @name
      right: (call
        function: (attribute) @table
        arguments: (argument_list) @args) @call) @finding))
