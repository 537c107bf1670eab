(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name
        right: (call
          function: [(identifier) (attribute)] @column
          arguments: (argument_list)) @call) @finding)))
