namespace fdsl {}
