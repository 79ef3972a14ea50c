<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ServerWindow</name>
    <message numerus="yes">
        <source>{count} request(s) (the last {shown} shown)</source>
        <translation>
            <numerusform>{count} request (the last {shown} shown)</numerusform>
            <numerusform>{count} requests (the last {shown} shown)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{count} request(s)</source>
        <translation>
            <numerusform>{count} request</numerusform>
            <numerusform>{count} requests</numerusform>
        </translation>
    </message>
</context>
</TS>
