<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>StatusLabels</name>
    <message numerus="yes">
        <source>{backend}, %n GPU layer(s)</source>
        <translation>
            <numerusform>{backend}, %n GPU layer</numerusform>
            <numerusform>{backend}, %n GPU layers</numerusform>
        </translation>
    </message>
</context>
</TS>
