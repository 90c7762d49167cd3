module github.com/shipgate/shipgate

go 1.26
