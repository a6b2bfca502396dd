module github.com/gorl/gorl

go 1.26
